// Dense linear layer for a batch of 1 (or a few) rows: matrix-vector products.
//   y (B×N) = epilogue(x (B×K) · Wᵀ + bias),  W stored out×in (N×K) row-major.
// A workgroup of ROWS·LANES invocations computes ROWS outputs of one batch row: LANES invocations walk
// one W row together (consecutive lanes read consecutive elements, so loads coalesce), then their
// partial sums are reduced in workgroup memory (log2 LANES barriers; LANES = 1 needs none).
// Grid: x over groups of ROWS output columns, y over batch rows.
// Entry points: `main_vec4` (vec4 loads, needs K % 4 == 0) and `main_scalar` (any K).
// Bindings (DenseMatmul's layout): 0 x  1 w  2 bias (4-byte dummy without HAS_BIAS)  3 y
//   4 shape: uniform, 16 bytes = 4 × u32 (batch, n, k, pad)

struct Shape {
  batch: u32,
  n: u32,
  k: u32,
  pad: u32,
}

// x and w are declared twice on the same binding: each entry point uses only one view.
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(0) var<storage, read> x4: array<vec4f>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(1) var<storage, read> w4: array<vec4f>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@group(0) @binding(4) var<uniform> shape: Shape;

override ROWS: u32 = 8;   // output columns per workgroup
override LANES: u32 = 32; // invocations per output column; a power of two
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

var<workgroup> partial: array<f32, ROWS * LANES>;

// Tree-reduce the LANES partial sums of each column, then lane 0 applies bias and epilogue.
fn reduceAndStore(sum: f32, index: u32, lane: u32, row: u32, col: u32) {
  partial[index] = sum;
  for (var s = LANES / 2u; s > 0u; s >>= 1u) {
    workgroupBarrier();
    if (lane < s) {
      partial[index] += partial[index + s];
    }
  }
  if (lane == 0u && col < shape.n) {
    var v = partial[index];
    if (HAS_BIAS) { v += bias[col]; }
    y[row * shape.n + col] = epilogue(v);
  }
}

@compute @workgroup_size(ROWS * LANES)
fn main_vec4(@builtin(local_invocation_index) index: u32, @builtin(workgroup_id) wid: vec3u) {
  let lane = index % LANES;
  let col = wid.x * ROWS + index / LANES;
  let row = wid.y;
  var acc = vec4f(0.0);
  if (col < shape.n) {
    let quads = shape.k / 4u;
    let xBase = row * quads;
    let wBase = col * quads;
    for (var q = lane; q < quads; q += LANES) {
      acc += x4[xBase + q] * w4[wBase + q];
    }
  }
  reduceAndStore(acc.x + acc.y + acc.z + acc.w, index, lane, row, col);
}

@compute @workgroup_size(ROWS * LANES)
fn main_scalar(@builtin(local_invocation_index) index: u32, @builtin(workgroup_id) wid: vec3u) {
  let lane = index % LANES;
  let col = wid.x * ROWS + index / LANES;
  let row = wid.y;
  var sum = 0.0;
  if (col < shape.n) {
    let xBase = row * shape.k;
    let wBase = col * shape.k;
    for (var i = lane; i < shape.k; i += LANES) {
      sum += x[xBase + i] * w[wBase + i];
    }
  }
  reduceAndStore(sum, index, lane, row, col);
}
