// LayerNorm over the last axis: y[t, :] = (x[t, :] − mean) / sqrt(var + eps) · g + b.
// x, y: (rows, d) row-major; g, b: (d). One workgroup per row; two passes (mean, then variance) for accuracy.

struct Params {
  rows: u32,
  d: u32,
  eps_bits: u32, // f32 bit pattern
  _pad: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;

override WG: u32; // set by the host (LayerNormKernel in src/gpu/kernels/layerNorm.ts)

// #include "common/workgroup_reduce.wgsl"

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = wid.x;
  if (row >= p.rows) {
    return; // uniform per workgroup, so the barriers below stay in uniform control flow
  }
  let base = row * p.d;
  var sum = 0.0;
  for (var i = lid; i < p.d; i = i + WG) {
    sum = sum + x[base + i];
  }
  let mean = workgroup_reduce(lid, sum, false) / f32(p.d);
  var sq = 0.0;
  for (var i = lid; i < p.d; i = i + WG) {
    let c = x[base + i] - mean;
    sq = sq + c * c;
  }
  let variance = workgroup_reduce(lid, sq, false) / f32(p.d);
  let inv = inverseSqrt(variance + bitcast<f32>(p.eps_bits));
  for (var i = lid; i < p.d; i = i + WG) {
    y[base + i] = (x[base + i] - mean) * inv * g[i] + b[i];
  }
}
