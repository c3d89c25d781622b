// Bindings of every CSR SpMM kernel (CsrSpmm's layout in src/gpu/kernels/spmmCsr.ts). W (N×K, out×in) is
// CSR over output rows: row r's nonzeros are colIdx/values[rowPtr[r] .. rowPtr[r + 1]).

struct Shape {
  rows: u32, // N
  cols: u32, // K
  batch: u32, // B
  groupsX: u32, // workgroups along x; the grid is folded into x and y past maxComputeWorkgroupsPerDimension
}

@group(0) @binding(0) var<storage, read> x: array<f32>; // B × K
@group(0) @binding(1) var<storage, read> rowPtr: array<u32>; // N + 1
@group(0) @binding(2) var<storage, read> colIdx: array<u32>; // nnz (≥ 1 word)
@group(0) @binding(3) var<storage, read> values: array<f32>; // nnz (≥ 1 word)
@group(0) @binding(4) var<storage, read> bias: array<f32>; // N, or a 1-word dummy when !HAS_BIAS
@group(0) @binding(5) var<storage, read_write> y: array<f32>; // B × N
@group(0) @binding(6) var<uniform> shape: Shape;

override HAS_BIAS: bool;

// The bias of output row `row`, or 0 without one.
fn row_bias(row: u32) -> f32 {
  if (HAS_BIAS) {
    return bias[row];
  }
  return 0.0;
}
