import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/engine/cpu/cpuBackend';
import { CpuPathRunner, cpuReplyTransfer } from '../../src/engine/cpu/protocol';
import { forwardCpu } from '../../src/math/transformer';
import { presetConfig } from '../../src/model/config';
import { initGpt2 } from '../../src/model/init';
import { sparsifyModel } from '../../src/model/sparsify';

const dense = initGpt2(presetConfig('test'), { seed: 11, std: 0.3 });
const sparse = sparsifyModel(dense, { density: 0.3 });
const tokens = [1, 5, 9, 2, 0, 22];

describe('CPU backend', () => {
  it('runs both paths and matches forwardCpu exactly', async () => {
    const backend = new CpuBackend('test');
    await backend.prepare({ dense, sparse });
    for (const path of ['dense', 'sparse'] as const) {
      const r = await backend.forward(tokens, { path });
      const ref = forwardCpu(path === 'dense' ? dense : sparse, tokens, { path });
      expect(Array.from(r.logits)).toEqual(Array.from(ref.logits));
      expect(r.timings.every((t) => t.path === path && t.source === 'wall')).toBe(true);
      expect(backend.cacheLength(path)).toBe(tokens.length);
    }
    expect(backend.kind).toBe('cpu');
    expect(backend.reason).toBe('test');
  });

  it('decodes incrementally with the KV cache and returns only the last row when asked', async () => {
    const backend = new CpuBackend();
    await backend.prepare({ dense, sparse });
    const full = await backend.forward(tokens, { path: 'sparse' });
    const vocab = dense.config.vocabSize;
    await backend.forward(tokens.slice(0, 2), { path: 'sparse' });
    for (let i = 2; i < tokens.length; i++) {
      const step = await backend.forward([tokens[i]], { path: 'sparse', append: true, logits: 'last' });
      expect(step.logits.length).toBe(vocab);
      const expected = full.logits.subarray(i * vocab, (i + 1) * vocab);
      step.logits.forEach((v, j) => {
        expect(v).toBeCloseTo(expected[j], 5);
      });
    }
  });

  it('survives a structured-clone round trip, as a worker message would (CSR prototypes revived)', () => {
    const runner = new CpuPathRunner();
    runner.prepare({ weights: structuredClone(sparse), path: 'sparse' });
    const reply = runner.forward({ tokens, append: false, activations: true, logits: 'all' });
    const ref = forwardCpu(sparse, tokens, { path: 'sparse' });
    expect(Array.from(reply.result.logits)).toEqual(Array.from(ref.logits));
  });

  it('reports errors as messages, not crashes', async () => {
    const backend = new CpuBackend();
    await expect(backend.forward([1], { path: 'dense' })).rejects.toThrow(/prepare/);
    await backend.prepare({ dense, sparse });
    const tooLong = Array.from({ length: dense.config.nCtx + 1 }, () => 1);
    await expect(backend.forward(tooLong, { path: 'dense' })).rejects.toThrow(/context/);
    // The backend really recovered: the same logits as the reference, and a KV cache of these tokens only.
    const ref = forwardCpu(dense, tokens, { path: 'dense' });
    expect(Array.from((await backend.forward(tokens, { path: 'dense' })).logits)).toEqual(
      Array.from(ref.logits),
    );
    expect(backend.cacheLength('dense')).toBe(tokens.length);
    // A refused append leaves the cache as it was: decoding goes on from it, matching the full pass's rows.
    await backend.forward(tokens.slice(0, 3), { path: 'sparse' });
    await expect(backend.forward(tooLong, { path: 'sparse', append: true })).rejects.toThrow(/context/);
    expect(backend.cacheLength('sparse')).toBe(3);
    const rest = await backend.forward(tokens.slice(3), { path: 'sparse', append: true });
    const full = forwardCpu(sparse, tokens, { path: 'sparse' }).logits;
    const vocab = dense.config.vocabSize;
    rest.logits.forEach((v, j) => {
      expect(v).toBeCloseTo(full[3 * vocab + j], 5);
    });
  });

  it("hands the forward result's buffers to the page instead of copying them", () => {
    const runner = new CpuPathRunner();
    runner.prepare({ weights: dense, path: 'dense' });
    const reply = runner.forward({ tokens, append: false, activations: true, logits: 'all' });
    const buffers = cpuReplyTransfer('forward', reply);
    const { residual, mlp } = reply.result.activations;
    expect(buffers).toHaveLength(1 + residual.length + mlp.length);
    expect(buffers).toContain(reply.result.logits.buffer);
    expect(cpuReplyTransfer('prepare', undefined)).toEqual([]);
  });
});
