// An element-wise activation in place on the first `count` values of x:
// MODE 0: exact GELU x·Φ(x) = 0.5·x·(1 + erf(x/√2)), erf by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7;
// WGSL has no erf); MODE 1: ReLU. CPU reference: geluErf / applyCspActivation in src/math/cspOps.ts.

struct Params {
  count: u32,
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
}

@group(0) @binding(0) var<storage, read_write> x: array<f32>;
@group(0) @binding(1) var<uniform> p: Params;

override MODE: u32 = 0u;

fn erf_as(v: f32) -> f32 {
  let a = abs(v);
  let t = 1.0 / (1.0 + 0.3275911 * a);
  let poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  let y = 1.0 - poly * exp(-a * a);
  return select(y, -y, v < 0.0);
}

// #include "common/linear_grid.wgsl"

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = linear_index(gid, nwg);
  if (i >= p.count) {
    return;
  }
  let v = x[i];
  if (MODE == 0u) {
    x[i] = 0.5 * v * (1.0 + erf_as(v * 0.70710678118654752));
  } else {
    x[i] = select(0.0, v, v > 0.0);
  }
}
