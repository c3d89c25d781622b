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

// Set by the host (CsrTuning.subgroup in src/gpu/kernels/spmmCsr.ts, which reads MAX_TB from here).
override WG: u32;
override ROWS_PER_WG: u32;
override TB: u32; // batch entries per pass over a row's nonzeros, ≤ MAX_TB
const MAX_TB: u32 = 8u; // private accumulator arrays need a constant size

// #include "common/csr_bindings.wgsl"
// #include "common/epilogue.wgsl"

var<workgroup> slotCounter: atomic<u32>;

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
      let b = row_bias(row);
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
