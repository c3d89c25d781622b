// Fused causal attention for a prefill (the FlashAttention scheme), one dispatch per layer:
//   out[t, head] = softmax_j(q_t · k_j · scale, j ≤ pos0 + t) · V   per head, heads concatenated.
// qkv: (T, 3d) (queries in columns 0..d); kcache, vcache: (nCtx, d) with this call's keys already written
// (kv_write.wgsl); out: (T, d). Query t sits at position pos0 + t. sink: (n_head) per-head sink logits
// (circuit_sparsity): one more logit in the softmax with value zero, so it only enlarges the denominator;
// a model without a sink binds NO_SINK (-3.4e38), whose exp underflows to exactly 0.
// One workgroup per (tile of BQ queries, head), one thread per query. The workgroup walks the keys its
// last query sees in tiles of BK: every thread copies part of the tile's K and V slices (BK × HD each)
// into workgroup memory, then each thread scores its query against the tile and folds it into a running
// softmax (max m, sum l, unnormalised output acc[HD], rescaled by exp(m_old − m_new) once per tile).
// No T × T score matrix exists anywhere: the scores of one tile live in registers (s[BK]).
// Tunables (host: src/gpu/kernels/attentionFused.ts): HD the head dimension (≤ MAX_HD), BQ, BK ≤ MAX_BK
// with 2·BK·HD·4 bytes ≤ the workgroup storage limit.

struct Params {
  t: u32,
  d: u32,
  n_head: u32,
  scale_bits: u32, // f32 bit pattern of 1/sqrt(HD)
}

// #include "common/step.wgsl"

@group(0) @binding(0) var<storage, read> qkv: array<f32>;
@group(0) @binding(1) var<storage, read> kcache: array<f32>;
@group(0) @binding(2) var<storage, read> vcache: array<f32>;
@group(0) @binding(3) var<storage, read> sink: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;
@group(0) @binding(5) var<uniform> p: Params;
@group(0) @binding(6) var<uniform> step: Step;

override HD: u32 = 64u;
override BQ: u32 = 32u;
override BK: u32 = 32u;
const MAX_HD: u32 = 64u;
const MAX_BK: u32 = 32u;
const NEG_BIG: f32 = -3.0e38; // below any score; exp(NEG_BIG − finite) is 0

var<workgroup> k_tile: array<f32, BK * HD>;
var<workgroup> v_tile: array<f32, BK * HD>;

@compute @workgroup_size(BQ)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let head = wid.y;
  let first_t = wid.x * BQ;
  let t = first_t + lid;
  let live = t < p.t;
  let col0 = head * HD;
  let scale = bitcast<f32>(p.scale_bits);
  // Keys the tile's last query sees: uniform across the workgroup, so the barriers below are too.
  let tile_keys = step.pos0 + min(first_t + BQ, p.t);
  let my_keys = step.pos0 + t + 1u;

  var q = array<f32, MAX_HD>();
  var acc = array<f32, MAX_HD>();
  if (live) {
    for (var c = 0u; c < HD; c = c + 1u) {
      q[c] = qkv[t * 3u * p.d + col0 + c] * scale;
    }
  }
  // The running softmax starts from the sink: max = sink logit, sum = exp(sink − sink) = 1, output 0.
  // Without a sink the first tile's correction exp(NO_SINK − max) is exactly 0 and clears that 1.
  var m = sink[head];
  var l = 1.0;

  for (var k0 = 0u; k0 < tile_keys; k0 = k0 + BK) {
    for (var i = lid; i < BK * HD; i = i + BQ) {
      let j = k0 + i / HD;
      var kv = 0.0;
      var vv = 0.0;
      if (j < tile_keys) {
        let at = j * p.d + col0 + i % HD;
        kv = kcache[at];
        vv = vcache[at];
      }
      k_tile[i] = kv;
      v_tile[i] = vv;
    }
    workgroupBarrier();
    // Keys of this tile that this query sees (0 for a query whose causal range ended earlier).
    let count = select(0u, min(BK, my_keys - k0), live && k0 < my_keys);
    if (count > 0u) {
      var s = array<f32, MAX_BK>();
      var tile_max = NEG_BIG;
      for (var jj = 0u; jj < count; jj = jj + 1u) {
        var dot = 0.0;
        for (var c = 0u; c < HD; c = c + 1u) {
          dot = dot + q[c] * k_tile[jj * HD + c];
        }
        s[jj] = dot;
        tile_max = max(tile_max, dot);
      }
      let m_new = max(m, tile_max);
      let correction = exp(m - m_new);
      l = l * correction;
      for (var c = 0u; c < HD; c = c + 1u) {
        acc[c] = acc[c] * correction;
      }
      for (var jj = 0u; jj < count; jj = jj + 1u) {
        let pj = exp(s[jj] - m_new);
        l = l + pj;
        for (var c = 0u; c < HD; c = c + 1u) {
          acc[c] = acc[c] + pj * v_tile[jj * HD + c];
        }
      }
      m = m_new;
    }
    workgroupBarrier();
  }

  if (live) {
    let inv = 1.0 / l;
    for (var c = 0u; c < HD; c = c + 1u) {
      out[t * p.d + col0 + c] = acc[c] * inv;
    }
  }
}
