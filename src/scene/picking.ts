// Screen-space picking: project every node once per camera change, then hover and click are a
// nearest-point search in pixels (a few thousand nodes: far cheaper than ray casting instanced spheres,
// and the pick radius is in pixels, which suits touch).

import * as THREE from 'three';

/**
 * Projects 3-float positions with a column-major 4×4 view-projection matrix (three's Matrix4.elements)
 * into CSS pixels; nodes behind the camera or outside the clip volume get NaN.
 * out: 2 floats per node (x right, y down).
 */
export function projectPoints(
  positions: Float32Array,
  viewProjection: ArrayLike<number>,
  width: number,
  height: number,
  out: Float32Array = new Float32Array((positions.length / 3) * 2),
): Float32Array {
  const m = viewProjection;
  const n = positions.length / 3;
  for (let i = 0; i < n; i++) {
    const x = positions[3 * i];
    const y = positions[3 * i + 1];
    const z = positions[3 * i + 2];
    const w = m[3] * x + m[7] * y + m[11] * z + m[15];
    const cx = (m[0] * x + m[4] * y + m[8] * z + m[12]) / w;
    const cy = (m[1] * x + m[5] * y + m[9] * z + m[13]) / w;
    const cz = (m[2] * x + m[6] * y + m[10] * z + m[14]) / w;
    if (w <= 0 || cz < -1 || cz > 1 || Math.abs(cx) > 1.05 || Math.abs(cy) > 1.05) {
      out[2 * i] = Number.NaN;
      out[2 * i + 1] = Number.NaN;
    } else {
      out[2 * i] = ((cx + 1) / 2) * width;
      out[2 * i + 1] = ((1 - cy) / 2) * height;
    }
  }
  return out;
}

/** Index of the projected point nearest (x, y) within `radius` pixels, or -1. */
export function nearestPoint(screen: Float32Array, x: number, y: number, radius: number): number {
  let best = -1;
  let bestD2 = radius * radius;
  for (let i = 0; i < screen.length / 2; i++) {
    const dx = screen[2 * i] - x;
    const dy = screen[2 * i + 1] - y;
    const d2 = dx * dx + dy * dy;
    if (d2 <= bestD2) {
      bestD2 = d2;
      best = i;
    }
  }
  return best;
}

/** The nearest node within `radius` px over several projected sets (the two networks), or null. */
export function nearestAcross<K>(
  sets: readonly { key: K; screen: Float32Array }[],
  x: number,
  y: number,
  radius: number,
): { key: K; node: number } | null {
  let best: { key: K; node: number } | null = null;
  let bestD = Number.POSITIVE_INFINITY;
  for (const { key, screen } of sets) {
    const node = nearestPoint(screen, x, y, radius);
    if (node < 0) continue;
    const d = Math.hypot(screen[2 * node] - x, screen[2 * node + 1] - y);
    if (d < bestD) {
      bestD = d;
      best = { key, node };
    }
  }
  return best;
}

/** Projects every node of each view into its `screen` array (CSS px), for one camera. */
export function projectViews(
  camera: THREE.Camera,
  views: readonly ({ layout: { positions: Float32Array }; screen: Float32Array } | undefined)[],
  width: number,
  height: number,
): void {
  camera.updateMatrixWorld();
  const vp = new THREE.Matrix4().multiplyMatrices(camera.projectionMatrix, camera.matrixWorldInverse);
  for (const view of views) {
    if (view) projectPoints(view.layout.positions, vp.elements, width, height, view.screen);
  }
}
