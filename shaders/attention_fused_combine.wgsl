// Causal attention for decoding (flash-decoding), step 2 of 2: combine the chunks of attention_fused_split.wgsl.
// For query t, head h, with chunks s: M = max m_s, out[c] = Σ_s e^(m_s − M)·acc_s[c] / Σ_s e^(m_s − M)·l_s.
// partials: (T, nHead, nSplit, HD + 2) [m, l, acc…]; out: (T, d). One workgroup per (query, head), a
// thread per output column. Chunk 0 always holds key 0, so M is finite and the sum is ≥ 1.
// sink: (n_head) per-head sink logits (circuit_sparsity), one more chunk with m = sink, l = 1, acc = 0;
// NO_SINK (-3.4e38) is plain attention (its exp underflows to exactly 0).

struct Params {
  t: u32,
  d: u32,
  n_head: u32,
  scale_bits: u32,
  n_split: u32,
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
}

@group(0) @binding(0) var<storage, read> partials: array<f32>;
@group(0) @binding(1) var<storage, read> sink: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

override HD: u32 = 64u;
override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let t = wid.x;
  let head = wid.y;
  let row = (t * p.n_head + head) * p.n_split;
  let stride = HD + 2u;
  let sink_logit = sink[head];
  var big = max(sink_logit, partials[row * stride]);
  for (var s = 1u; s < p.n_split; s = s + 1u) {
    big = max(big, partials[(row + s) * stride]);
  }
  var total = exp(sink_logit - big);
  for (var s = 0u; s < p.n_split; s = s + 1u) {
    let at = (row + s) * stride;
    total = total + exp(partials[at] - big) * partials[at + 1u];
  }
  let inv = 1.0 / total;
  for (var c = lid; c < HD; c = c + WG) {
    var acc = 0.0;
    for (var s = 0u; s < p.n_split; s = s + 1u) {
      let at = (row + s) * stride;
      acc = acc + exp(partials[at] - big) * partials[at + 2u + c];
    }
    out[t * p.d + head * HD + c] = acc * inv;
  }
}
