// logits[r, c] += bigram[tokens[first_token + r], c]: circuit_sparsity's bigram table, indexed by the
// current token. logits: (rows, vocab); bigram: (vocab, vocab); tokens: u32. One thread per element.
// CPU reference: the bigram loop at the end of forwardCsp in src/math/cspForward.ts.

struct Params {
  rows: u32,
  vocab: u32,
  first_token: u32,
  _pad: u32,
}

@group(0) @binding(0) var<storage, read> bigram: array<f32>;
@group(0) @binding(1) var<storage, read> tokens: array<u32>;
@group(0) @binding(2) var<storage, read_write> logits: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

// #include "common/linear_grid.wgsl"

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = linear_index(gid, nwg);
  if (i >= p.rows * p.vocab) {
    return;
  }
  let r = i / p.vocab;
  let c = i % p.vocab;
  logits[i] = logits[i] + bigram[tokens[p.first_token + r] * p.vocab + c];
}
