// One invocation per element, over a grid folded into x and y (linearGrid in src/gpu/kernels/dispatch.ts).
// WG is the workgroup size; the host sets it and sizes the grid with the same number.
override WG: u32;

fn linear_index(gid: vec3u, nwg: vec3u) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}
