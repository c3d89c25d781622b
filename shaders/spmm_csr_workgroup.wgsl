// CSR SpMM without subgroups: y (B×N) = act(x (B×K) · Wᵀ + bias), W (N×K) as CSR over output rows.
// A workgroup of WG threads covers WG / THREADS_PER_ROW rows; the THREADS_PER_ROW threads of a row stride
// over its nonzeros, then a tree reduction in workgroup memory sums their partials. TB batch entries are
// reduced per round, so each nonzero is loaded once per TB batch rows.
// THREADS_PER_ROW must be a power of two dividing WG.
//
// partial layout: partial[t * WG + local] for batch entry t of the round, thread `local`.

// Set by the host (CsrTuning.workgroup in src/gpu/kernels/spmmCsr.ts, which reads MAX_TB from here).
override WG: u32;
override THREADS_PER_ROW: u32;
override TB: u32; // ≤ MAX_TB
const MAX_TB: u32 = 8u; // private accumulator arrays need a constant size

// #include "common/csr_bindings.wgsl"
// #include "common/epilogue.wgsl"
// #include "common/tree_reduce.wgsl"

var<workgroup> partial: array<f32, WG * TB>;

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
    tree_reduce(local, lane, THREADS_PER_ROW, count, WG, false);
    workgroupBarrier();
    if (lane == 0u && row < N) {
      let b = row_bias(row);
      for (var t = 0u; t < count; t++) {
        y[(b0 + t) * N + row] = epilogue(partial[t * WG + local] + b);
      }
    }
    // The next round overwrites partial: wait until lane 0 has read it.
    workgroupBarrier();
  }
}
