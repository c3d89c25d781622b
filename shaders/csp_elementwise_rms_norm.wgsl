// RMSNorm over the last axis (torch.nn.RMSNorm, weight only): y[r, :] = x[r, :] / sqrt(mean(x²) + eps) · g.
// x, y: (rows, d) row-major; g: (d). One workgroup per row.
// CPU reference: rmsNorm in src/math/cspOps.ts.

struct Params {
  rows: u32,
  d: u32,
  eps_bits: u32, // f32 bit pattern
  _pad: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

// Set by the host (CspElementwiseKernels in src/gpu/kernels/cspElementwise.ts).
override WG: u32;

// #include "common/workgroup_reduce.wgsl"

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = wid.x;
  if (row >= p.rows) {
    return; // uniform per workgroup
  }
  let base = row * p.d;
  var sq = 0.0;
  for (var i = lid; i < p.d; i = i + WG) {
    sq = sq + x[base + i] * x[base + i];
  }
  let inv = inverseSqrt(workgroup_reduce(lid, sq, false) / f32(p.d) + bitcast<f32>(p.eps_bits));
  for (var i = lid; i < p.d; i = i + WG) {
    y[base + i] = x[base + i] * inv * g[i];
  }
}
