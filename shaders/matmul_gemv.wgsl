// Dense linear layer for a batch of 1 (or a few) rows: matrix-vector products.
//   y (B×N) = epilogue(x (B×K) · Wᵀ + bias),  W stored out×in (N×K) row-major.
// A workgroup of ROWS·LANES invocations computes ROWS outputs of one batch row: LANES invocations walk
// one W row together (consecutive lanes read consecutive elements, so loads coalesce), then their
// partial sums are reduced in workgroup memory (log2 LANES barriers; LANES = 1 needs none).
// Grid: x over groups of ROWS output columns, y over batch rows.
// Entry points: `main_vec4` (vec4 loads, needs K % 4 == 0) and `main_scalar` (any K).

// #include "common/dense_bindings.wgsl"
// #include "common/epilogue.wgsl"
// #include "common/tree_reduce.wgsl"

// Set by the host (DenseTuning.gemv in src/gpu/kernels/matmul.ts).
override ROWS: u32;  // output columns per workgroup
override LANES: u32; // invocations per output column; a power of two

var<workgroup> partial: array<f32, ROWS * LANES>;

// Tree-reduce the LANES partial sums of each column, then lane 0 applies bias and epilogue.
fn reduceAndStore(sum: f32, index: u32, lane: u32, row: u32, col: u32) {
  partial[index] = sum;
  tree_reduce(index, lane, LANES, 1u, 0u, false);
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
