// One Graph Challenge DNN layer on the images still alive (activation sparsity on the GPU), activations
// stored image-major ("transposed"): x is (K × S), y is (N × S), S image slots per neuron, S a multiple of 4.
//   y[n, r] = min(max(Σ_i values[i] · x[colIdx[i], sel[r]] + bias, 0), ymax),  i over CSR row n of Wₗ,
// for slots r < live (state[0]). Slot r of y is image ids[r] (kept by dnn_live_compact.wgsl); slot sel[r]
// of x is the same image one layer earlier.
// Threads: a linear index t (shaders/common/linear_grid.wgsl) → (quad group qg = t % g, neuron n = t / g),
// g = ⌈live / 16⌉; the thread computes 4 quads of 4 slots: quads qg, qg + g, qg + 2g, qg + 3g. Adjacent
// invocations are adjacent quads of one neuron where live ≥ 16 · subgroup width: they load the same
// (colIdx, values) entry (a broadcast) and consecutive x slots (coalesced: sel is increasing, and the identity
// until an image dies), and store consecutive vec4s of y. Every weight loaded serves 16 images. With few
// images alive (the tail of the network) the same linear index spreads the threads over the neurons instead,
// so no lane idles. The grid is written by the compaction pass for the next layer (dispatchWorkgroupsIndirect).
// alive[r] is set when slot r has a nonzero output; the compaction reads and clears it. No barriers.
// #include "common/linear_grid.wgsl"

struct Params {
  n: u32,
  k: u32,
  bias: f32,
  ymax: f32,
  quads: u32, // S / 4: vec4s per neuron row of x and y
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> sel: array<vec4u>; // S slots; every entry < S (stale ones too)
@group(0) @binding(2) var<storage, read> row_ptr: array<u32>;
@group(0) @binding(3) var<storage, read> col_idx: array<u32>;
@group(0) @binding(4) var<storage, read> values: array<f32>;
@group(0) @binding(5) var<storage, read> state: array<u32>; // [live, …]
@group(0) @binding(6) var<storage, read_write> y: array<vec4f>;
@group(0) @binding(7) var<storage, read_write> alive: array<atomic<u32>>;
@group(0) @binding(8) var<uniform> p: Params;

/** Quads (of 4 image slots) per thread: the 4 accumulators below; the host reads this value. */
const QUADS_PER_THREAD: u32 = 4u;

fn gather(at: u32, s: vec4u) -> vec4f {
  return vec4f(x[at + s.x], x[at + s.y], x[at + s.z], x[at + s.w]);
}

fn finish(n: u32, q: u32, acc: vec4f, live: u32) {
  let v = clamp(acc + p.bias, vec4f(0.0), vec4f(p.ymax));
  y[n * p.quads + q] = v; // slots ≥ live in the last quad get a harmless value, never flagged
  for (var j = 0u; j < 4u; j = j + 1u) {
    let r = 4u * q + j;
    // Read first: every neuron of a live image would otherwise write the same flag (an atomic per
    // output, the flag's cache line bouncing between cores or queued at one L2 slice).
    if (v[j] > 0.0 && r < live && atomicLoad(&alive[r]) == 0u) {
      atomicStore(&alive[r], 1u);
    }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let live = state[0];
  let g = (live + 4u * QUADS_PER_THREAD - 1u) / (4u * QUADS_PER_THREAD);
  let t = linear_index(gid, nwg);
  if (live == 0u || t >= g * p.n) {
    return;
  }
  let qg = t % g;
  let n = t / g;
  let last = (live - 1u) / 4u; // the last quad holding a live slot
  // Quads past `last` read quad `last` again (harmless) and are not written.
  let q1 = min(qg + g, last);
  let q2 = min(qg + 2u * g, last);
  let q3 = min(qg + 3u * g, last);
  let s0 = sel[qg];
  let s1 = sel[q1];
  let s2 = sel[q2];
  let s3 = sel[q3];
  var a0 = vec4f(0.0);
  var a1 = vec4f(0.0);
  var a2 = vec4f(0.0);
  var a3 = vec4f(0.0);
  for (var i = row_ptr[n]; i < row_ptr[n + 1u]; i = i + 1u) {
    let w = vec4f(values[i]);
    let at = col_idx[i] * 4u * p.quads;
    a0 = fma(w, gather(at, s0), a0);
    a1 = fma(w, gather(at, s1), a1);
    a2 = fma(w, gather(at, s2), a2);
    a3 = fma(w, gather(at, s3), a3);
  }
  finish(n, qg, a0, live);
  if (qg + g <= last) {
    finish(n, q1, a1, live);
  }
  if (qg + 2u * g <= last) {
    finish(n, q2, a2, live);
  }
  if (qg + 3u * g <= last) {
    finish(n, q3, a3, live);
  }
}
