// Measuring the scene, not testing it: what WebGL renders it (a CPU rasterizer changes what is
// affordable) and how long frames take while the camera orbits.

import * as THREE from 'three';
import { median, percentile } from '../bench/stats';
import type { FrameStats } from './frameBudget';
import type { SceneView } from './sceneView';

/** The WebGL renderer's name, and whether it is a CPU rasterizer (SwiftShader, llvmpipe). */
export interface OrbitBench extends FrameStats {
  p90: number;
  /** One render plus a 1-pixel read that waits for the GPU, back to back (no compositor): ms. */
  renderMedian: number;
  /** Edges per network drawn by the last moving frame (every edge for 'full'). */
  edgesPerNetwork: number;
}

/**
 * Orbits the camera `frames` frames (1° each) through the scene's own frame path, as a drag does.
 * `median`/`p90`: intervals between animation frames (what a person sees); `renderMedian`: the scene's own
 * cost. `detail`: 'moving' draws the adaptive edge budget as a user's orbit does; 'full' every edge.
 */
export async function benchOrbit(
  view: SceneView,
  frames: number,
  detail: 'moving' | 'full',
): Promise<OrbitBench> {
  const { camera, controls, renderer } = view;
  const reduceBefore = view.reduceWhileMoving;
  view.reduceWhileMoving = detail === 'moving';
  const axis = new THREE.Vector3(0, 1, 0);
  const step = () => {
    const offset = camera.position.clone().sub(controls.target);
    offset.applyAxisAngle(axis, THREE.MathUtils.degToRad(1));
    camera.position.copy(controls.target).add(offset);
    camera.lookAt(controls.target);
    // Let the controls take the new position now: the frame's own update() then sees no motion and
    // schedules no second frame in the same display refresh (a drag's frames chain through damping).
    controls.update();
    view.frame(true);
  };
  const intervals: number[] = [];
  let last = 0;
  for (let i = 0; i < frames; i++) {
    await new Promise<void>((resolve) =>
      requestAnimationFrame(() => {
        step();
        const now = performance.now();
        if (last) intervals.push(now - last);
        last = now;
        resolve();
      }),
    );
  }
  const edgesPerNetwork = Math.max(0, ...Object.values(view.views).map((v) => v?.drawnEdges ?? 0));
  const gl = renderer.getContext();
  const pixel = new Uint8Array(4);
  const renders: number[] = [];
  // The render cost alone, outside the frame path (back-to-back renders are not display intervals and
  // must not reach the frame statistics or the edge budget); the draw range stays as the orbit left it.
  for (let i = 0; i < Math.min(frames, 30); i++) {
    const t0 = performance.now();
    renderer.render(view.scene, camera);
    gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, pixel);
    renders.push(performance.now() - t0);
  }
  view.reduceWhileMoving = reduceBefore;
  view.restoreFullDetail();
  return {
    median: median(intervals),
    p90: percentile(intervals, 90),
    count: intervals.length,
    renderMedian: median(renders),
    edgesPerNetwork,
  };
}
