// Causal multi-head self-attention over a KV cache (GPT-2), the CPU reference and incremental decoder.
// Layout: qkv (T, 3d) per new token = [q (d) | k (d) | v (d)], head h owning columns h·hd..(h+1)·hd-1 of
// each part (HF GPT-2's split_heads). The cache holds every past token's k and v: (capacity, d) per layer.

import { attentionWidth } from './arch';
import type { Gpt2Config } from './gpt2Types';

export interface KvCache {
  nLayer: number;
  dModel: number;
  /** Positions the cache can hold. */
  capacity: number;
  /** Positions filled so far (the next token's position). */
  length: number;
  /** Per layer: (capacity, d). */
  k: Float32Array[];
  v: Float32Array[];
}

/** A cache for up to `capacity` positions (default the model's context: 75 MB for gpt2-small). */
export function createKvCache(config: Gpt2Config, capacity = config.nCtx): KvCache {
  if (!Number.isInteger(capacity) || capacity < 1 || capacity > config.nCtx) {
    throw new Error(`KV cache capacity ${capacity} must be an integer in [1, nCtx = ${config.nCtx}]`);
  }
  const width = attentionWidth(config); // n_head·d_head: dModel except for some circuit_sparsity models
  const size = capacity * width;
  const k: Float32Array[] = [];
  const v: Float32Array[] = [];
  for (let l = 0; l < config.nLayer; l++) {
    k.push(new Float32Array(size));
    v.push(new Float32Array(size));
  }
  return { nLayer: config.nLayer, dModel: width, capacity, length: 0, k, v };
}

/** Check the shapes and store the T new tokens' k, v (from qkv (T, 3d)) at cache rows start..start+T-1. */
export function writeKv(
  qkv: Float32Array,
  T: number,
  start: number,
  d: number,
  cacheK: Float32Array,
  cacheV: Float32Array,
): void {
  const capacity = cacheK.length / d;
  if (qkv.length !== T * 3 * d)
    throw new Error(`attention: qkv has ${qkv.length} values, expected ${T}×${3 * d}`);
  if (start + T > capacity) {
    throw new Error(`attention: positions up to ${start + T} exceed the cache capacity ${capacity}`);
  }
  for (let t = 0; t < T; t++) {
    const src = t * 3 * d;
    const dst = (start + t) * d;
    cacheK.set(qkv.subarray(src + d, src + 2 * d), dst);
    cacheV.set(qkv.subarray(src + 2 * d, src + 3 * d), dst);
  }
}

/**
 * Attention for T new tokens at positions start..start+T-1: stores their k, v into the cache layer at
 * those positions, then every new token t attends to positions 0..start+t (causal).
 * qkv: (T, 3d); cacheK, cacheV: (capacity, d); out: (T, d), heads concatenated.
 * Scores in f64 scratch, scaled by 1/sqrt(hd). `sink` (nHead), when given, is one more logit per head in
 * every softmax whose value is zero (circuit_sparsity's attention sink): it only enlarges the denominator.
 */
export function causalAttention(
  qkv: Float32Array,
  T: number,
  start: number,
  nHead: number,
  d: number,
  cacheK: Float32Array,
  cacheV: Float32Array,
  out: Float32Array = new Float32Array(T * d),
  sink?: Float32Array,
): Float32Array {
  const hd = d / nHead;
  if (!Number.isInteger(hd)) throw new Error(`attention: d ${d} is not divisible by nHead ${nHead}`);
  writeKv(qkv, T, start, d, cacheK, cacheV);
  const scale = 1 / Math.sqrt(hd);
  const scores = new Float64Array(start + T);
  const acc = new Float64Array(hd);
  for (let t = 0; t < T; t++) {
    const len = start + t + 1; // positions this token sees
    for (let h = 0; h < nHead; h++) {
      const q = t * 3 * d + h * hd;
      let max = sink ? sink[h] : Number.NEGATIVE_INFINITY;
      for (let j = 0; j < len; j++) {
        const kb = j * d + h * hd;
        let s = 0;
        for (let i = 0; i < hd; i++) s += qkv[q + i] * cacheK[kb + i];
        s *= scale;
        scores[j] = s;
        if (s > max) max = s;
      }
      let sum = sink ? Math.exp(sink[h] - max) : 0;
      for (let j = 0; j < len; j++) {
        const e = Math.exp(scores[j] - max);
        scores[j] = e;
        sum += e;
      }
      acc.fill(0);
      for (let j = 0; j < len; j++) {
        const p = scores[j] / sum;
        const vb = j * d + h * hd;
        for (let i = 0; i < hd; i++) acc[i] += p * cacheV[vb + i];
      }
      const o = t * d + h * hd;
      for (let i = 0; i < hd; i++) out[o + i] = acc[i];
    }
  }
  return out;
}
