// Bandwidth probe: dst = src, 16 bytes per load and store. A grid-stride loop over vec4s so any size
// fits one dispatch of at most maxComputeWorkgroupsPerDimension workgroups.

override WG: u32; // set by the host (src/gpu/kernels/copy.ts), which also sizes the grid with it

struct Params {
  count: u32, // vec4s to copy
  stride: u32, // invocations in the whole grid
  pad0: u32,
  pad1: u32,
}

@group(0) @binding(0) var<storage, read> src: array<vec4f>;
@group(0) @binding(1) var<storage, read_write> dst: array<vec4f>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  for (var i = gid.x; i < params.count; i += params.stride) {
    dst[i] = src[i];
  }
}
