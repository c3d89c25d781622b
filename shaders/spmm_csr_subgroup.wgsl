// CSR SpMM, a row per subgroup: y (B×N) = act(x (B×K) · Wᵀ + bias), W (N×K) as CSR over output rows.
// The lanes of a subgroup stride over one row's nonzeros and subgroupAdd their partial sums.
//
// Correct for any subgroup size and any mapping of invocations to subgroups: each subgroup claims a slot
// from a workgroup counter (WGSL does not promise that subgroups are contiguous runs of
// local_invocation_index), its width is the number of active lanes (a subgroup may be partial, or wider
// than the workgroup), and a lane's rank among them is an exclusive prefix sum. The workgroup covers
// ROWS_PER_WG rows; its subgroups take them in turn.
//
// Uniformity: WGSL requires subgroup builtins in workgroup-uniform control flow, which a row-per-subgroup
// kernel cannot have (row lengths differ). Every subgroup builtin here is reached in subgroup-uniform
// control flow (row, start, end, batch are the same for all lanes, and the strided nonzero loop closes
// before the reduction), so the subgroup_uniformity diagnostic is turned off for this module.
enable subgroups;
diagnostic(off, subgroup_uniformity);

override WG: u32 = 64u;
override ROWS_PER_WG: u32 = 16u;
override TB: u32 = 4u; // batch entries per pass over a row's nonzeros, ≤ MAX_TB
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

var<workgroup> slotCounter: atomic<u32>;

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
fn main(@builtin(workgroup_id) wid: vec3u) {
  var slot = 0u;
  if (subgroupElect()) {
    slot = atomicAdd(&slotCounter, 1u);
  }
  slot = subgroupBroadcastFirst(slot);
  let rank = subgroupExclusiveAdd(1u);
  let width = subgroupAdd(1u);
  workgroupBarrier();
  let slots = atomicLoad(&slotCounter);

  let firstRow = (wid.x + wid.y * shape.groupsX) * ROWS_PER_WG;
  let K = shape.cols;
  let N = shape.rows;
  for (var r = slot; r < ROWS_PER_WG; r += slots) {
    let row = firstRow + r;
    if (row >= N) {
      break;
    }
    let start = rowPtr[row];
    let end = rowPtr[row + 1u];
    var b0 = 0u;
    while (b0 < shape.batch) {
      var acc = array<f32, MAX_TB>();
      let count = min(TB, shape.batch - b0);
      for (var i = start + rank; i < end; i += width) {
        let c = colIdx[i];
        let v = values[i];
        for (var t = 0u; t < count; t++) {
          acc[t] = fma(v, x[(b0 + t) * K + c], acc[t]);
        }
      }
      var b = 0.0;
      if (HAS_BIAS) {
        b = bias[row];
      }
      for (var t = 0u; t < count; t++) {
        let sum = subgroupAdd(acc[t]);
        if (rank == 0u) {
          y[(b0 + t) * N + row] = epilogue(sum + b);
        }
      }
      b0 += TB;
    }
  }
}
