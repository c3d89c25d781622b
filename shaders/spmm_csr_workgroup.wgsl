// CSR SpMM without subgroups: y (B×N) = act(x (B×K) · Wᵀ + bias), W (N×K) as CSR over output rows.
// A workgroup of WG threads covers WG / THREADS_PER_ROW rows; the THREADS_PER_ROW threads of a row stride
// over its nonzeros, then a tree reduction in workgroup memory sums their partials. TB batch entries are
// reduced per round, so each nonzero is loaded once per TB batch rows.
// THREADS_PER_ROW must be a power of two dividing WG.
//
// partial layout: partial[t * WG + local] for batch entry t of the round, thread `local`.

override WG: u32 = 64u;
override THREADS_PER_ROW: u32 = 16u;
override TB: u32 = 4u; // ≤ MAX_TB
override HAS_BIAS: bool = false;
const MAX_TB: u32 = 8u;

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

var<workgroup> partial: array<f32, WG * TB>;

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
  let rowsPerWg = WG / THREADS_PER_ROW;
  let row = (wid.x + wid.y * shape.groupsX) * rowsPerWg + local / THREADS_PER_ROW;
  let lane = local % THREADS_PER_ROW;
  let K = shape.cols;
  let N = shape.rows;
  // Threads past the last row still take part in every barrier, with empty ranges.
  var start = 0u;
  var end = 0u;
  if (row < N) {
    start = rowPtr[row];
    end = rowPtr[row + 1u];
  }
  // shape.batch is uniform, so every barrier below is in workgroup-uniform control flow.
  for (var b0 = 0u; b0 < shape.batch; b0 += TB) {
    let count = min(TB, shape.batch - b0);
    var acc = array<f32, MAX_TB>();
    for (var i = start + lane; i < end; i += THREADS_PER_ROW) {
      let c = colIdx[i];
      let v = values[i];
      for (var t = 0u; t < count; t++) {
        acc[t] = fma(v, x[(b0 + t) * K + c], acc[t]);
      }
    }
    for (var t = 0u; t < TB; t++) {
      partial[t * WG + local] = acc[t];
    }
    for (var stride = THREADS_PER_ROW / 2u; stride > 0u; stride /= 2u) {
      workgroupBarrier();
      if (lane < stride) {
        for (var t = 0u; t < count; t++) {
          partial[t * WG + local] += partial[t * WG + local + stride];
        }
      }
    }
    workgroupBarrier();
    if (lane == 0u && row < N) {
      var b = 0.0;
      if (HAS_BIAS) {
        b = bias[row];
      }
      for (var t = 0u; t < count; t++) {
        y[(b0 + t) * N + row] = epilogue(partial[t * WG + local] + b);
      }
    }
    // The next round overwrites partial: wait until lane 0 has read it.
    workgroupBarrier();
  }
}
