// CSR SpMM, batch-tiled: y (B×N) = act(x (B×K) · Wᵀ + bias), W (N×K) as CSR over output rows.
// A thread owns one output row and TB consecutive batch entries: it loads each (col, value) of its row
// once and does TB FMAs with it, so the CSR arrays are read ⌈B / TB⌉ times in all instead of B times.
// Workgroups: ⌈N / WG⌉ row groups × ⌈B / TB⌉ batch tiles, linearised (row group fastest) and folded into
// the x and y grid dimensions.

override WG: u32 = 64u;
override TB: u32 = 8u; // ≤ MAX_TB
override HAS_BIAS: bool = false;
const MAX_TB: u32 = 16u;

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

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) local: u32) {
  let N = shape.rows;
  let K = shape.cols;
  let rowGroups = (N + WG - 1u) / WG;
  let group = wid.x + wid.y * shape.groupsX;
  let row = (group % rowGroups) * WG + local;
  let b0 = (group / rowGroups) * TB;
  if (row >= N || b0 >= shape.batch) {
    return;
  }
  let start = rowPtr[row];
  let end = rowPtr[row + 1u];
  var acc = array<f32, MAX_TB>();
  if (b0 + TB <= shape.batch) {
    // Full tile: the trip count is the override TB, so the compiler can unroll it.
    for (var i = start; i < end; i++) {
      let c = colIdx[i];
      let v = values[i];
      for (var t = 0u; t < TB; t++) {
        acc[t] = fma(v, x[(b0 + t) * K + c], acc[t]);
      }
    }
  } else {
    let count = shape.batch - b0;
    for (var i = start; i < end; i++) {
      let c = colIdx[i];
      let v = values[i];
      for (var t = 0u; t < count; t++) {
        acc[t] = fma(v, x[(b0 + t) * K + c], acc[t]);
      }
    }
  }
  var b = 0.0;
  if (HAS_BIAS) {
    b = bias[row];
  }
  let count = min(TB, shape.batch - b0);
  for (var t = 0u; t < count; t++) {
    y[(b0 + t) * N + row] = epilogue(acc[t] + b);
  }
}
