// Token + position embedding: out[t, c] = wte[tokens[t], c] + wpe[pos0 + t, c].
// tokens: (T) u32; wte: (vocab, d); wpe: (nCtx, d); out: (T, d). One thread per output element.

struct Params {
  t: u32,
  d: u32,
  _pad0: u32,
  _pad1: u32,
}

// #include "common/step.wgsl"
// #include "common/linear_grid.wgsl"

@group(0) @binding(0) var<storage, read> tokens: array<u32>;
@group(0) @binding(1) var<storage, read> wte: array<f32>;
@group(0) @binding(2) var<storage, read> wpe: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;
@group(0) @binding(5) var<uniform> step: Step;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = linear_index(gid, nwg);
  if (i >= p.t * p.d) {
    return;
  }
  let t = i / p.d;
  let c = i % p.d;
  out[i] = wte[tokens[t] * p.d + c] + wpe[(step.pos0 + t) * p.d + c];
}
