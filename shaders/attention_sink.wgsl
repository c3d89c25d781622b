// Causal multi-head attention over the KV cache with a per-head attention sink (circuit_sparsity): the
// sink is one more logit per head in every softmax, with value zero, so it only enlarges the denominator.
// A model without a sink binds sink logits of -3.4e38 (exp underflows to 0: plain attention).
// Same layout and scheme as shaders/attention.wgsl (TODO after the flash-attention kernel lands: fold the
// sink in there and drop this copy). CPU reference: causalAttention(…, sink) in src/math/attention.ts.

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

// #include "common/step.wgsl"

@group(0) @binding(0) var<storage, read> qkv: array<f32>;
@group(0) @binding(1) var<storage, read> kcache: array<f32>;
@group(0) @binding(2) var<storage, read> vcache: array<f32>;
@group(0) @binding(3) var<storage, read> sink: array<f32>; // (n_head)
@group(0) @binding(4) var<storage, read_write> out: array<f32>;
@group(0) @binding(5) var<uniform> p: Params;
@group(0) @binding(6) var<uniform> step: Step;

// Set by the host (AttentionSinkKernel in src/gpu/kernels/attentionSink.ts).
override WG: u32;
override MAX_CTX: u32;
var<workgroup> scores: array<f32, MAX_CTX>;

// #include "common/workgroup_reduce.wgsl"

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let t = wid.x;
  let head = wid.y;
  if (t >= p.t || head >= p.n_head) {
    return; // uniform per workgroup
  }
  let hd = p.head_dim;
  let scale = bitcast<f32>(p.scale_bits);
  let q_base = t * 3u * p.d + head * hd;
  let n_keys = step.pos0 + t + 1u;

  var local_max = sink[head];
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
  var local_sum = select(0.0, exp(sink[head] - m), lid == 0u);
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
