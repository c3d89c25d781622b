// Dense linear layer, one output element per invocation: the baseline the benchmarks compare against.
//   y (B×N) = epilogue(x (B×K) · Wᵀ + bias),  W stored out×in (N×K) row-major.
// Grid: x over output columns (WG per workgroup), y over batch rows.

// #include "common/dense_bindings.wgsl"
// #include "common/epilogue.wgsl"

override WG: u32; // set by the host (DenseTuning.naive in src/gpu/kernels/matmul.ts)

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let col = gid.x;
  let row = gid.y;
  if (col >= shape.n || row >= shape.batch) {
    return;
  }
  let xBase = row * shape.k;
  let wBase = col * shape.k;
  var sum = 0.0;
  for (var i = 0u; i < shape.k; i++) {
    sum += x[xBase + i] * w[wBase + i];
  }
  if (HAS_BIAS) {
    sum += bias[col];
  }
  y[row * shape.n + col] = epilogue(sum);
}
