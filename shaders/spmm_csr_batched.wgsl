// CSR SpMM, batch-tiled: y (B×N) = act(x (B×K) · Wᵀ + bias), W (N×K) as CSR over output rows.
// A thread owns one output row and TB consecutive batch entries: it loads each (col, value) of its row
// once and does TB FMAs with it, so the CSR arrays are read ⌈B / TB⌉ times in all instead of B times.
// Workgroups: ⌈N / WG⌉ row groups × ⌈B / TB⌉ batch tiles, linearised (row group fastest) and folded into
// the x and y grid dimensions.

// Set by the host (CsrTuning.batched in src/gpu/kernels/spmmCsr.ts, which reads MAX_TB from here).
override WG: u32;
override TB: u32; // ≤ MAX_TB
const MAX_TB: u32 = 16u; // private accumulator arrays need a constant size

// #include "common/csr_bindings.wgsl"
// #include "common/epilogue.wgsl"

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
  let b = row_bias(row);
  let count = min(TB, shape.batch - b0);
  for (var t = 0u; t < count; t++) {
    y[(b0 + t) * N + row] = epilogue(acc[t] + b);
  }
}
