// One Graph Challenge DNN layer on the images still alive (activation sparsity on the GPU):
//   y[r, n] = min(max(Σ_i values[i] · x[sel[r], colIdx[i]] + bias, 0), ymax),  i over CSR row n of Wₗ,
// for packed rows r < live (state[0]); x and y hold packed rows (row r of y is image ids[r], kept by
// dnn_live_compact.wgsl), row sel[r] of x is the same image one layer earlier. alive[r] becomes 1 when row r
// has a nonzero output; the compaction pass reads and clears it.
// W: (N × K) out×in CSR (rowPtr, colIdx, values). The grid, written by the compaction pass for the
// next layer (dispatchWorkgroupsIndirect): (⌈N / WG⌉, ⌈live / RB⌉); each thread one output neuron for
// RB rows, so every weight it loads serves RB images. No barriers: x is read from global memory (it is
// a gather, as in spmm_csr_batched.wgsl).

struct Params {
  n: u32,
  k: u32,
  bias: f32,
  ymax: f32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> sel: array<u32>;
@group(0) @binding(2) var<storage, read> row_ptr: array<u32>;
@group(0) @binding(3) var<storage, read> col_idx: array<u32>;
@group(0) @binding(4) var<storage, read> values: array<f32>;
@group(0) @binding(5) var<storage, read> state: array<u32>; // [live, …]
@group(0) @binding(6) var<storage, read_write> y: array<f32>;
@group(0) @binding(7) var<storage, read_write> alive: array<atomic<u32>>;
@group(0) @binding(8) var<uniform> p: Params;

override WG: u32 = 64u;
override RB: u32 = 8u; // rows per thread, ≤ MAX_RB (the host's DNN_LIVE_ROWS_PER_THREAD)
const MAX_RB: u32 = 8u;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let n = gid.x;
  let live = state[0];
  let r0 = wid.y * RB;
  if (n >= p.n || r0 >= live) {
    return;
  }
  let rows = min(RB, live - r0);
  var base = array<u32, MAX_RB>();
  for (var r = 0u; r < rows; r = r + 1u) {
    base[r] = sel[r0 + r] * p.k;
  }
  var acc = array<f32, MAX_RB>();
  for (var i = row_ptr[n]; i < row_ptr[n + 1u]; i = i + 1u) {
    let w = values[i];
    let c = col_idx[i];
    for (var r = 0u; r < RB; r = r + 1u) {
      acc[r] = fma(w, x[base[r] + c], acc[r]); // rows past `rows` read x[c]: harmless
    }
  }
  for (var r = 0u; r < rows; r = r + 1u) {
    let v = clamp(acc[r] + p.bias, 0.0, p.ymax);
    y[(r0 + r) * p.n + n] = v;
    if (v > 0.0) {
      atomicOr(&alive[r0 + r], 1u);
    }
  }
}
