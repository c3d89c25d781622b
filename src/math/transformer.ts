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
  /** Runs per timed op inside this forward, by op name (sub-resolution ops; see src/engine/measure.ts). */
  repeats?: Readonly<Record<string, number>>;
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
  const repeats = options.repeats ?? {};
  let blockMs = 0; // the running sub-block ('attn' or 'mlp'): the sum of its passes, as on the GPU
  /** Time one pass; an idempotent one runs `repeats[op]` times (sub-resolution ops) and reports the mean. */
  const timed = (layer: number, op: string, run: () => void, idempotent = true) => {
    const r = idempotent ? Math.max(1, Math.floor(repeats[op] ?? 1)) : 1;
    const t0 = now();
    for (let i = 0; i < r; i++) run();
    const ms = (now() - t0) / r;
    blockMs += ms;
    timings.push({ layer, op, path, ms, source: 'wall', ...(r > 1 ? { repeats: r } : {}) });
  };
  const blockTotal = (layer: number, op: string) => {
    timings.push({ layer, op, path, ms: blockMs, source: 'wall' });
    blockMs = 0;
  };

  let x: Float32Array = new Float32Array(0); // residual stream (T, d)
  timed(0, 'embed', () => {
    x = embed(tokens, weights.wte, weights.wpe, d, start);
  });
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
    blockMs = 0;
    timed(l, 'ln1', () => layerNorm(x, blk.ln1.g, blk.ln1.b, T, d, eps, normed));
    timed(l, 'qkv', () => linear(normed, blk.qkv, T, path, `h.${l}.qkv`, qkv));
    // Writes this step's keys and values at the same cache rows each time: idempotent.
    timed(l, 'attn.core', () => causalAttentionFast(qkv, T, start, nHead, d, cache.k[l], cache.v[l], heads));
    timed(l, 'attn.proj', () => linear(heads, blk.attnProj, T, path, `h.${l}.attn.proj`, proj));
    timed(l, 'attn.add', () => addInPlace(x, proj), false);
    blockTotal(l, 'attn');

    timed(l, 'ln2', () => layerNorm(x, blk.ln2.g, blk.ln2.b, T, d, eps, normed));
    timed(l, 'fc', () => linear(normed, blk.fc, T, path, `h.${l}.fc`, hidden, 'gelu'));
    if (collect) mlp.push(hidden.slice());
    timed(l, 'fc.proj', () => linear(hidden, blk.fcProj, T, path, `h.${l}.fc.proj`, proj));
    timed(l, 'mlp.add', () => addInPlace(x, proj), false);
    blockTotal(l, 'mlp');
  }
  if (collect) residual.push(x.slice());
  cache.length = start + T;

  timed(nLayer, 'lnf', () => layerNorm(x, weights.lnf.g, weights.lnf.b, T, d, eps, normed));
  const logits = new Float32Array(T * vocabSize);
  timed(nLayer, 'unembed', () => {
    if (path === 'sparse' && weights.wteCsr)
      spmmFast(normed, weights.wteCsr, null, T, 'none', undefined, logits);
    else matmulFast(normed, weights.wte, null, T, vocabSize, d, 'none', undefined, logits);
  });
  return { logits, activations: { residual, mlp }, timings };
}
