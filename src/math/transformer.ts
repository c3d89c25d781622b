// The GPT-2 forward pass on the CPU: the CPU backend's math and the oracle for the WebGPU engine.
//   x = wte[tokens] + wpe[pos]                                (T, d)
//   per block: x += attn.proj(attn(qkv(ln1(x))));  x += fc.proj(gelu(fc(ln2(x))))
//   logits = ln_f(x) · wteᵀ                                   (T, vocab), wte tied
// Linear layers run dense (matmulFast on `w`) or sparse (spmmFast on `csr`); everything else is shared.

import type { ForwardResult, LayerTiming, WeightPath } from '../contracts';
import type { ActivationName } from './activations';
import { createKvCache, type KvCache } from './attention';
import { causalAttentionFast } from './attentionFast';
import { forwardCsp } from './cspForward';
import type { Gpt2Weights, Linear } from './gpt2Types';
import { matmulFast } from './matmul';
import { addInPlace, embed, layerNorm } from './norm';
import { spmmFast } from './spmm';

export interface ForwardOptions {
  /** Which weights the linear layers use (default 'dense'). 'sparse' needs `csr` on every Linear. */
  path?: WeightPath;
  /**
   * Incremental decoding: `tokens` are appended at positions cache.length…; the cache is advanced.
   * Without one, a fresh cache for `tokens.length` positions is used (a full forward from position 0).
   * Keep one cache per (weights, path): the cache holds that path's keys and values.
   */
  cache?: KvCache;
  /** Copy out the residual stream and MLP activations (default true). */
  collectActivations?: boolean;
}

const now = (): number => performance.now();

/** y = act(x · Wᵀ + b) on the chosen path. x: (T, k), out: (T, n). */
function linear(
  x: Float32Array,
  lin: Linear,
  T: number,
  path: WeightPath,
  name: string,
  out: Float32Array,
  activation: ActivationName = 'none',
): Float32Array {
  if (path === 'sparse') {
    if (!lin.csr) throw new Error(`forwardCpu: ${name} has no CSR; sparsify the model for the sparse path`);
    return spmmFast(x, lin.csr, lin.b, T, activation, undefined, out);
  }
  return matmulFast(x, lin.w, lin.b, T, lin.n, lin.k, activation, undefined, out);
}

export function forwardCpu(
  weights: Gpt2Weights,
  tokens: ArrayLike<number>,
  options: ForwardOptions = {},
): ForwardResult {
  const { config } = weights;
  if (config.arch) return forwardCsp(weights, tokens, options); // circuit_sparsity models
  const { dModel: d, dMlp: m, nHead, nLayer, vocabSize, layerNormEps: eps } = config;
  const path = options.path ?? 'dense';
  const collect = options.collectActivations ?? true;
  const T = tokens.length;
  if (T === 0) throw new Error('forwardCpu: no tokens');
  const cache = options.cache ?? createKvCache(config, Math.min(T, config.nCtx));
  if (cache.nLayer !== nLayer || cache.dModel !== d) {
    throw new Error(
      `forwardCpu: KV cache is for ${cache.nLayer} layers × d ${cache.dModel}, model has ${nLayer} × ${d}`,
    );
  }
  const start = cache.length;
  if (start + T > cache.capacity) {
    throw new Error(
      `forwardCpu: ${start} cached + ${T} new tokens exceed the cache capacity ${cache.capacity}`,
    );
  }
  const timings: LayerTiming[] = [];
  const time = (layer: number, op: string, t0: number) =>
    timings.push({ layer, op, path, ms: now() - t0, source: 'wall' });

  const x = embed(tokens, weights.wte, weights.wpe, d, start); // residual stream (T, d)
  const normed = new Float32Array(T * d);
  const qkv = new Float32Array(T * 3 * d);
  const heads = new Float32Array(T * d);
  const proj = new Float32Array(T * d);
  const hidden = new Float32Array(T * m);
  const residual: Float32Array[] = [];
  const mlp: Float32Array[] = [];

  for (let l = 0; l < nLayer; l++) {
    const blk = weights.blocks[l];
    if (collect) residual.push(x.slice());
    const a0 = now();
    layerNorm(x, blk.ln1.g, blk.ln1.b, T, d, eps, normed);
    let t0 = now();
    linear(normed, blk.qkv, T, path, `h.${l}.qkv`, qkv);
    time(l, 'qkv', t0);
    causalAttentionFast(qkv, T, start, nHead, d, cache.k[l], cache.v[l], heads);
    t0 = now();
    linear(heads, blk.attnProj, T, path, `h.${l}.attn.proj`, proj);
    time(l, 'attn.proj', t0);
    addInPlace(x, proj);
    time(l, 'attn', a0);

    const m0 = now();
    layerNorm(x, blk.ln2.g, blk.ln2.b, T, d, eps, normed);
    t0 = now();
    linear(normed, blk.fc, T, path, `h.${l}.fc`, hidden, 'gelu');
    time(l, 'fc', t0);
    if (collect) mlp.push(hidden.slice());
    t0 = now();
    linear(hidden, blk.fcProj, T, path, `h.${l}.fc.proj`, proj);
    time(l, 'fc.proj', t0);
    addInPlace(x, proj);
    time(l, 'mlp', m0);
  }
  if (collect) residual.push(x.slice());
  cache.length = start + T;

  layerNorm(x, weights.lnf.g, weights.lnf.b, T, d, eps, normed);
  const u0 = now();
  const logits = new Float32Array(T * vocabSize);
  if (path === 'sparse' && weights.wteCsr)
    spmmFast(normed, weights.wteCsr, null, T, 'none', undefined, logits);
  else matmulFast(normed, weights.wte, null, T, vocabSize, d, 'none', undefined, logits);
  time(nLayer, 'unembed', u0);
  return { logits, activations: { residual, mlp }, timings };
}
