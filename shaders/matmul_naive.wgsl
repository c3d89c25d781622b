// Dense linear layer, one output element per invocation: the baseline the benchmarks compare against.
//   y (B×N) = epilogue(x (B×K) · Wᵀ + bias),  W stored out×in (N×K) row-major.
// Grid: x over output columns (WG per workgroup), y over batch rows.
// Bindings (DenseMatmul's layout, shared by every dense variant):
//   0 x: B·K f32   1 w: N·K f32   2 bias: N f32 (a 4-byte dummy when HAS_BIAS is false)
//   3 y: B·N f32   4 shape: uniform, 16 bytes = 4 × u32 (batch, n, k, pad)

struct Shape {
  batch: u32,
  n: u32,
  k: u32,
  pad: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@group(0) @binding(4) var<uniform> shape: Shape;

override WG: u32 = 64;
override HAS_BIAS: bool = false;

// ---- fused epilogue: keep identical to docs/kernels.md ----
override ACTIVATION: u32 = 0u;   // 0 none, 1 GELU (tanh), 2 ReLU clamped to [0, CLAMP_MAX]
override CLAMP_MAX: f32 = 32.0;
fn epilogue(v: f32) -> f32 {
  if (ACTIVATION == 1u) {
    // tanh of a large argument is NaN on some drivers: clamp it first.
    let t = clamp(0.7978845608 * (v + 0.044715 * v * v * v), -15.0, 15.0);
    return 0.5 * v * (1.0 + tanh(t));
  }
  if (ACTIVATION == 2u) { return clamp(v, 0.0, CLAMP_MAX); }
  return v;
}
// ---- end of epilogue ----

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let col = gid.x;
  let row = gid.y;
  if (col >= shape.n || row >= shape.batch) {
    return;
  }
  let xBase = row * shape.k;
  let wBase = col * shape.k;
  var sum = 0.0;
  for (var i = 0u; i < shape.k; i++) {
    sum += x[xBase + i] * w[wBase + i];
  }
  if (HAS_BIAS) {
    sum += bias[col];
  }
  y[row * shape.n + col] = epilogue(sum);
}
