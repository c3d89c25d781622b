// Camera framing: where the camera goes to show a box of the scene, leaving room for the titles above the
// networks, the headline below them and the panels at the screen's sides.

import * as THREE from 'three';

/** The direction the default camera looks from: in front, a little right and above. */
const VIEW_DIRECTION = new THREE.Vector3(0.07, 0.2, 1).normalize();

/**
 * Moves `camera` (and the orbit `target`) so `box` fills the view. `reserve`: fractions of the screen
 * width at the left and right (side panels) and of its height at the top and bottom (the titles above
 * the networks, the headline under them) to keep free of the box.
 */
export function fitCamera(
  camera: THREE.PerspectiveCamera,
  target: THREE.Vector3,
  bounds: THREE.Box3,
  reserve: { left: number; right: number; top: number; bottom: number },
): void {
  const box = bounds.clone();
  const width = box.max.x - box.min.x;
  // The titles over the networks are wider than the networks at the usual zoom.
  box.min.x -= 0.05 * width;
  box.max.x += 0.05 * width;
  // Keep the panels off the networks: widen the box so those strips of screen are spare.
  const span = (box.max.x - box.min.x) / (1 - reserve.right - reserve.left);
  box.max.x += span * reserve.right;
  box.min.x -= span * reserve.left;
  const tall = (box.max.y - box.min.y) / (1 - reserve.top - reserve.bottom);
  box.max.y += tall * reserve.top;
  box.min.y -= tall * reserve.bottom;
  const center = box.getCenter(new THREE.Vector3());
  const size = box.getSize(new THREE.Vector3());
  const tan = Math.tan(THREE.MathUtils.degToRad(camera.fov / 2));
  const distance = Math.max(size.y / 2 / tan, size.x / 2 / (tan * camera.aspect)) * 1.02 + size.z / 2;
  target.copy(center);
  camera.position.copy(center).addScaledVector(VIEW_DIRECTION, distance);
  camera.near = Math.max(0.01, distance / 200);
  camera.far = distance * 20;
  camera.updateProjectionMatrix();
}
