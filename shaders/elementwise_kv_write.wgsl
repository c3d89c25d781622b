// Append this call's keys and values to the layer's KV cache:
// kcache[pos0 + t, c] = qkv[t, d + c], vcache[pos0 + t, c] = qkv[t, 2d + c].
// qkv: (T, 3d); kcache, vcache: (nCtx, d). One thread per (t, c).

struct Params {
  t: u32,
  d: u32,
  _pad0: u32,
  _pad1: u32,
}

// #include "common/step.wgsl"
// #include "common/linear_grid.wgsl"

@group(0) @binding(0) var<storage, read> qkv: array<f32>;
@group(0) @binding(1) var<storage, read_write> kcache: array<f32>;
@group(0) @binding(2) var<storage, read_write> vcache: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;
@group(0) @binding(4) var<uniform> step: Step;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = linear_index(gid, nwg);
  if (i >= p.t * p.d) {
    return;
  }
  let t = i / p.d;
  let c = i % p.d;
  let dst = (step.pos0 + t) * p.d + c;
  kcache[dst] = qkv[t * 3u * p.d + p.d + c];
  vcache[dst] = qkv[t * 3u * p.d + 2u * p.d + c];
}
