import { describe, expect, it } from 'vitest';
import { createKvCache } from '../../src/math/attention';
import { forwardCpu } from '../../src/math/transformer';
import { presetConfig } from '../../src/model/config';
import { initGpt2 } from '../../src/model/init';
import { sparsifyModel } from '../../src/model/sparsify';

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

// Weights larger than GPT-2's 0.02 so activations and logits are far from zero and comparisons bite.
const config = presetConfig('tiny');
const weights = initGpt2(config, { seed: 11, std: 0.15 });
const tokens = [5, 99, 3, 127, 0, 42, 42, 7, 64, 1, 2];

describe('forwardCpu', () => {
  it('returns logits, activations and timings with the documented shapes', () => {
    const r = forwardCpu(weights, tokens);
    const T = tokens.length;
    expect(r.logits.length).toBe(T * config.vocabSize);
    expect(r.logits.every(Number.isFinite)).toBe(true);
    expect(r.activations.residual).toHaveLength(config.nLayer + 1);
    expect(r.activations.residual[0].length).toBe(T * config.dModel);
    expect(r.activations.mlp).toHaveLength(config.nLayer);
    expect(r.activations.mlp[1].length).toBe(T * config.dMlp);
    // GELU output is bounded below by about -0.17.
    expect(Math.min(...r.activations.mlp[0])).toBeGreaterThan(-0.171);
    const ops = r.timings.map((t) => `${t.layer}:${t.op}`);
    for (const op of ['0:qkv', '0:attn.proj', '0:attn', '0:fc', '0:fc.proj', '0:mlp', '1:mlp', '2:unembed']) {
      expect(ops).toContain(op);
    }
    expect(r.timings.every((t) => t.source === 'wall' && t.path === 'dense' && t.ms >= 0)).toBe(true);
    // The residual stream changes through each block.
    expect(maxAbsDiff(r.activations.residual[0], r.activations.residual[1])).toBeGreaterThan(0.01);
  });

  it('is causal: logits of a prefix do not depend on later tokens', () => {
    const full = forwardCpu(weights, tokens).logits;
    const prefix = forwardCpu(weights, tokens.slice(0, 4)).logits;
    expect(maxAbsDiff(prefix, full.subarray(0, prefix.length))).toBeLessThan(1e-5);
    const changed = forwardCpu(weights, [...tokens.slice(0, 4), 9, 9]).logits;
    expect(maxAbsDiff(changed.subarray(0, prefix.length), prefix)).toBeLessThan(1e-5);
  });

  it('KV-cache incremental decoding equals the full forward', () => {
    const full = forwardCpu(weights, tokens).logits;
    const cache = createKvCache(config);
    const V = config.vocabSize;
    const steps = [3, 1, 1, 4, 2];
    let pos = 0;
    for (const n of steps) {
      const r = forwardCpu(weights, tokens.slice(pos, pos + n), { cache });
      expect(maxAbsDiff(r.logits, full.subarray(pos * V, (pos + n) * V))).toBeLessThan(1e-5);
      pos += n;
      expect(cache.length).toBe(pos);
    }
    expect(() => forwardCpu(weights, new Array(config.nCtx).fill(1), { cache })).toThrow(/capacity/);
  });

  it('sparse path at density 1 equals the dense path', () => {
    const twin = sparsifyModel(weights, { density: 1 });
    const dense = forwardCpu(weights, tokens);
    const sparse = forwardCpu(twin, tokens, { path: 'sparse' });
    expect(maxAbsDiff(sparse.logits, dense.logits)).toBeLessThan(1e-4);
    expect(sparse.timings.every((t) => t.path === 'sparse')).toBe(true);
  });

  it('sparse path on a pruned model equals the dense path on the pruned weights, and differs from the original', () => {
    const twin = sparsifyModel(weights, { density: 1 / 16 });
    const sparse = forwardCpu(twin, tokens, { path: 'sparse' }).logits;
    const densePruned = forwardCpu(twin, tokens, { path: 'dense' }).logits;
    const original = forwardCpu(weights, tokens).logits;
    expect(maxAbsDiff(sparse, densePruned)).toBeLessThan(1e-4);
    expect(maxAbsDiff(sparse, original)).toBeGreaterThan(1e-2);
  });

  it('with sparse embeddings the unembedding runs through CSR and still matches the pruned dense path', () => {
    const twin = sparsifyModel(weights, { density: 1 / 8, includeEmbeddings: true });
    expect(twin.wteCsr).toBeDefined();
    const sparse = forwardCpu(twin, tokens, { path: 'sparse' }).logits;
    const densePruned = forwardCpu(twin, tokens, { path: 'dense' }).logits;
    expect(maxAbsDiff(sparse, densePruned)).toBeLessThan(1e-4);
  });

  it('refuses the sparse path without CSR and bad tokens', () => {
    expect(() => forwardCpu(weights, tokens, { path: 'sparse' })).toThrow(/h\.0\.qkv has no CSR/);
    expect(() => forwardCpu(weights, [config.vocabSize])).toThrow(/outside the vocabulary/);
    expect(() => forwardCpu(weights, [])).toThrow(/no tokens/);
  });
});
