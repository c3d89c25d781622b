// Causal multi-head attention over the KV cache, for the T queries of this call, with an optional sink.
// qkv: (T, 3d) (queries in columns 0..d); kcache, vcache: (nCtx, d); out: (T, d).
// Query t sits at position pos0 + t and sees keys 0..pos0 + t. One workgroup per (t, head):
// scores in workgroup memory, max and sum reduced across the workgroup, then each thread owns output dims.
// The sink (circuit_sparsity) is one more logit per head in the softmax, with value zero, so it only
// enlarges the denominator; NO_SINK (exp underflows to exactly 0) is plain attention.
// Needs the includer's bindings qkv, kcache, vcache (read), out (read_write), p: Params and step: Step;
// the includer's host sets WG (threads per workgroup) and MAX_CTX (the score array's length).
// CPU reference: causalAttention(…, sink) in src/math/attention.ts.
// #include "step.wgsl"
// #include "workgroup_reduce.wgsl"

struct Params {
  t: u32,
  d: u32,
  n_head: u32,
  head_dim: u32,
  scale_bits: u32, // f32 bit pattern of 1/sqrt(head_dim)
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
}

override WG: u32;
override MAX_CTX: u32;
var<workgroup> scores: array<f32, MAX_CTX>;

// The sink logit of a model without a sink.
const NO_SINK = -3.4e38;

// out[t, head] = softmax([sink_logit, q·Kᵀ·scale], causal)[1:] · V; call from the entry point.
fn attend(t: u32, head: u32, lid: u32, sink_logit: f32) {
  if (t >= p.t || head >= p.n_head) {
    return; // uniform per workgroup
  }
  let hd = p.head_dim;
  let scale = bitcast<f32>(p.scale_bits);
  let q_base = t * 3u * p.d + head * hd;
  let n_keys = step.pos0 + t + 1u;

  var local_max = sink_logit;
  for (var j = lid; j < n_keys; j = j + WG) {
    let k_base = j * p.d + head * hd;
    var s = 0.0;
    for (var c = 0u; c < hd; c = c + 1u) {
      s = s + qkv[q_base + c] * kcache[k_base + c];
    }
    s = s * scale;
    scores[j] = s;
    local_max = max(local_max, s);
  }
  let m = workgroup_reduce(lid, local_max, true);

  // The sink's exp counts once, on thread 0.
  var local_sum = select(0.0, exp(sink_logit - m), lid == 0u);
  for (var j = lid; j < n_keys; j = j + WG) {
    let e = exp(scores[j] - m);
    scores[j] = e;
    local_sum = local_sum + e;
  }
  let inv_sum = 1.0 / workgroup_reduce(lid, local_sum, false);

  for (var c = lid; c < hd; c = c + WG) {
    var acc = 0.0;
    for (var j = 0u; j < n_keys; j = j + 1u) {
      acc = acc + scores[j] * vcache[j * p.d + head * hd + c];
    }
    out[t * p.d + head * hd + c] = acc * inv_sum;
  }
}
