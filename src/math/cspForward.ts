// The circuit_sparsity forward pass on the CPU (FORWARD_PASS.md in ../shared/data/circuit-sparsity):
// the CPU backend's math for models with `config.arch`, and the oracle for the WebGPU plan.
//   x = wte[tokens] + wpe[pos]
//   per block: a = S(norm1(x), attn_in); q,k,v = S(·) of qkv(a); x += S(proj(attn(q,k,v; sink)), attn_out)
//              (relu x); S(x, resid_post_attn); m = S(norm2(x), mlp_in); h = S(act(fc(m)), mlp_neuron)
//              x += S(fc.proj(h), mlp_out) (relu x); S(x, resid_post_mlp)
//   logits = normf(x)·W_Uᵀ + final_logits_bias + bigram[current token]
// S(v, loc) is AbsTopK where the config asks for it. Linear layers run dense or CSR, as for GPT-2.

import type { ForwardResult, LayerTiming, WeightPath } from '../contracts';
import { type AbsTopKLocation, attentionWidth, topKAt } from './arch';
import { causalAttention, createKvCache, type KvCache } from './attention';
import { absTopK, applyCspActivation, rmsNorm } from './cspOps';
import type { Gpt2Weights, LayerNormParams, Linear } from './gpt2Types';
import { matmulFast } from './matmul';
import { addInPlace, embed, layerNorm } from './norm';
import { spmmFast } from './spmm';

/** As forwardCpu's options (src/math/transformer.ts), plus hooks. */
export interface CspForwardOptions {
  path?: WeightPath;
  /** Incremental decoding: tokens are appended at positions cache.length…, and the cache advanced. */
  cache?: KvCache;
  /** Copy out the residual stream and MLP activations (default true). */
  collectActivations?: boolean;
  /** When given, filled with a copy of every hook of gpt.py ('0.attn.q', 'final_resid', …), (T, width). */
  hooks?: Map<string, Float32Array>;
}

const now = (): number => performance.now();

function linear(x: Float32Array, lin: Linear, T: number, path: WeightPath, name: string, out: Float32Array) {
  if (path === 'sparse') {
    if (!lin.csr) throw new Error(`forwardCsp: ${name} has no CSR; build the sparse twin first`);
    return spmmFast(x, lin.csr, lin.b, T, 'none', undefined, out);
  }
  return matmulFast(x, lin.w, lin.b, T, lin.n, lin.k, 'none', undefined, out);
}

export function forwardCsp(
  weights: Gpt2Weights,
  tokens: ArrayLike<number>,
  options: CspForwardOptions = {},
): ForwardResult {
  const { config, head } = weights;
  const arch = config.arch;
  if (!arch || !head) throw new Error('forwardCsp: not a circuit_sparsity model (no arch or head)');
  const { dModel: d, dMlp: m, nHead, nLayer, vocabSize: V, layerNormEps: eps } = config;
  const A = attentionWidth(config);
  const path = options.path ?? 'dense';
  const collect = options.collectActivations ?? true;
  const hooks = options.hooks;
  const T = tokens.length;
  if (T === 0) throw new Error('forwardCsp: no tokens');
  const cache = options.cache ?? createKvCache(config, Math.min(T, config.nCtx));
  if (cache.nLayer !== nLayer || cache.dModel !== A)
    throw new Error(
      `forwardCsp: KV cache is for ${cache.nLayer} layers × ${cache.dModel}, model has ${nLayer} × ${A}`,
    );
  const start = cache.length;
  if (start + T > cache.capacity)
    throw new Error(
      `forwardCsp: ${start} cached + ${T} new tokens exceed the cache capacity ${cache.capacity}`,
    );
  const timings: LayerTiming[] = [];
  const time = (layer: number, op: string, t0: number) =>
    timings.push({ layer, op, path, ms: now() - t0, source: 'wall' });
  const hook = (name: string, v: Float32Array) => hooks?.set(name, v.slice());
  const sparsify = (v: Float32Array, loc: AbsTopKLocation, width: number, stride = width, offset = 0) => {
    const k = topKAt(arch, loc, width);
    if (k !== null) absTopK(v, T, width, k, stride, offset);
  };
  const norm = (x: Float32Array, p: LayerNormParams, out: Float32Array) =>
    arch.norm === 'rmsnorm' ? rmsNorm(x, p.g, T, d, eps, out) : layerNorm(x, p.g, p.b, T, d, eps, out);
  const residualRelu = (x: Float32Array) => {
    if (arch.residualRelu) applyCspActivation(x, 'relu');
  };

  const x = embed(tokens, weights.wte, weights.wpe, d, start);
  const normed = new Float32Array(T * d);
  const qkv = new Float32Array(T * 3 * A);
  const heads = new Float32Array(T * A);
  const proj = new Float32Array(T * d);
  const hidden = new Float32Array(T * m);
  const residual: Float32Array[] = [];
  const mlp: Float32Array[] = [];
  const part = (offset: number) => {
    const out = new Float32Array(T * A);
    for (let t = 0; t < T; t++) out.set(qkv.subarray(t * 3 * A + offset, t * 3 * A + offset + A), t * A);
    return out;
  };

  for (let l = 0; l < nLayer; l++) {
    const blk = weights.blocks[l];
    if (collect) residual.push(x.slice());
    hook(`${l}.resid_in`, x);
    const a0 = now();
    norm(x, blk.ln1, normed);
    sparsify(normed, 'attn_in', d);
    hook(`${l}.attn.act_in`, normed);
    let t0 = now();
    linear(normed, blk.qkv, T, path, `h.${l}.qkv`, qkv);
    time(l, 'qkv', t0);
    sparsify(qkv, 'attn_q', A, 3 * A, 0);
    sparsify(qkv, 'attn_k', A, 3 * A, A);
    sparsify(qkv, 'attn_v', A, 3 * A, 2 * A);
    if (hooks) {
      hooks.set(`${l}.attn.q`, part(0));
      hooks.set(`${l}.attn.k`, part(A));
      hooks.set(`${l}.attn.v`, part(2 * A));
    }
    causalAttention(qkv, T, start, nHead, A, cache.k[l], cache.v[l], heads, blk.sinkLogit);
    hook(`${l}.attn.y`, heads);
    t0 = now();
    linear(heads, blk.attnProj, T, path, `h.${l}.attn.proj`, proj);
    time(l, 'attn.proj', t0);
    sparsify(proj, 'attn_out', d);
    hook(`${l}.attn.resid_delta`, proj);
    addInPlace(x, proj);
    residualRelu(x);
    sparsify(x, 'resid_post_attn', d);
    time(l, 'attn', a0);

    hook(`${l}.resid_mid`, x);
    const m0 = now();
    norm(x, blk.ln2, normed);
    sparsify(normed, 'mlp_in', d);
    hook(`${l}.mlp.act_in`, normed);
    t0 = now();
    linear(normed, blk.fc, T, path, `h.${l}.fc`, hidden);
    applyCspActivation(hidden, arch.activation);
    sparsify(hidden, 'mlp_neuron', m);
    time(l, 'fc', t0);
    if (collect) mlp.push(hidden.slice());
    hook(`${l}.mlp.post_act`, hidden);
    t0 = now();
    linear(hidden, blk.fcProj, T, path, `h.${l}.fc.proj`, proj);
    time(l, 'fc.proj', t0);
    sparsify(proj, 'mlp_out', d);
    hook(`${l}.mlp.resid_delta`, proj);
    addInPlace(x, proj);
    residualRelu(x);
    sparsify(x, 'resid_post_mlp', d);
    time(l, 'mlp', m0);
  }
  if (collect) residual.push(x.slice());
  hook('final_resid', x);
  cache.length = start + T;

  norm(x, weights.lnf, normed);
  const u0 = now();
  const logits = new Float32Array(T * V);
  if (path === 'sparse') {
    if (!head.csr) throw new Error('forwardCsp: the unembedding has no CSR; build the sparse twin first');
    spmmFast(normed, head.csr, head.bias, T, 'none', undefined, logits);
  } else {
    matmulFast(normed, head.w, head.bias, T, V, d, 'none', undefined, logits);
  }
  if (head.bigram) {
    for (let t = 0; t < T; t++) {
      const row = tokens[t] * V;
      for (let c = 0; c < V; c++) logits[t * V + c] += head.bigram[row + c];
    }
  }
  time(nLayer, 'unembed', u0);
  return { logits, activations: { residual, mlp }, timings };
}
