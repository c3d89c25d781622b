// Causal attention for decoding (flash-decoding), step 1 of 2: the keys of each (query, head) are split
// in chunks of WG, one workgroup per (chunk, head, query), so that a single query still gives
// nHead · ⌈keys / WG⌉ workgroups. Each workgroup writes its chunk's partial softmax: the chunk max m,
// the sum l of exp(s − m) and the unnormalised output acc[c] = Σ exp(s_j − m)·v_j[c]; step 2
// (attention_fused_combine.wgsl) rescales and adds the chunks.
// qkv: (T, 3d); kcache, vcache: (nCtx, d) with this call's keys written; query t sits at pos0 + t.
// partials: (T, nHead, nSplit, HD + 2) f32: [m, l, acc[0..HD)] per chunk. A chunk past the query's last
// key writes m = NEG_BIG, l = 0, acc = 0 (the grid covers the whole context, bound once per plan).

struct Params {
  t: u32,
  d: u32,
  n_head: u32,
  scale_bits: u32, // f32 bit pattern of 1/sqrt(HD)
  n_split: u32,
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
}

// #include "common/step.wgsl"

@group(0) @binding(0) var<storage, read> qkv: array<f32>;
@group(0) @binding(1) var<storage, read> kcache: array<f32>;
@group(0) @binding(2) var<storage, read> vcache: array<f32>;
@group(0) @binding(3) var<storage, read_write> partials: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;
@group(0) @binding(5) var<uniform> step: Step;

override HD: u32 = 64u;
override WG: u32 = 64u; // keys per workgroup = threads per workgroup (a power of two): the chunk
const NEG_BIG: f32 = -3.0e38;

var<workgroup> probs: array<f32, WG>;

// #include "common/workgroup_reduce.wgsl"

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let split = wid.x;
  let head = wid.y;
  let t = wid.z;
  let base = ((t * p.n_head + head) * p.n_split + split) * (HD + 2u);
  let n_keys = step.pos0 + t + 1u;
  let j0 = split * WG;
  if (j0 >= n_keys) {
    // uniform per workgroup: an empty chunk contributes nothing
    for (var c = lid; c < HD + 2u; c = c + WG) {
      partials[base + c] = select(0.0, NEG_BIG, c == 0u);
    }
    return;
  }
  let col0 = head * HD;
  let scale = bitcast<f32>(p.scale_bits);
  let j = j0 + lid;
  var s = NEG_BIG;
  if (j < n_keys) {
    let q_base = t * 3u * p.d + col0;
    let k_base = j * p.d + col0;
    var dot = 0.0;
    for (var c = 0u; c < HD; c = c + 1u) {
      dot = dot + qkv[q_base + c] * kcache[k_base + c];
    }
    s = dot * scale;
  }
  let m = workgroup_reduce(lid, s, true);
  let e = select(0.0, exp(s - m), j < n_keys);
  probs[lid] = e;
  let l = workgroup_reduce(lid, e, false); // its barriers also publish probs
  let count = min(WG, n_keys - j0);
  for (var c = lid; c < HD; c = c + WG) {
    var acc = 0.0;
    for (var jj = 0u; jj < count; jj = jj + 1u) {
      acc = acc + probs[jj] * vcache[(j0 + jj) * p.d + col0 + c];
    }
    partials[base + 2u + c] = acc;
  }
  if (lid == 0u) {
    partials[base] = m;
    partials[base + 1u] = l;
  }
}
