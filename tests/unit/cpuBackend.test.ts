import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/engine/cpu/cpuBackend';
import { CpuPathRunner } from '../../src/engine/cpu/protocol';
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
    const cloned = structuredClone(sparse);
    expect(runner.handle({ id: 1, type: 'prepare', weights: cloned, path: 'sparse' }).ok).toBe(true);
    const reply = runner.handle({
      id: 2,
      type: 'forward',
      tokens,
      append: false,
      activations: true,
      logits: 'all',
    });
    expect(reply.ok).toBe(true);
    if (!reply.ok || !reply.result) throw new Error('no result');
    const ref = forwardCpu(sparse, tokens, { path: 'sparse' });
    expect(Array.from(reply.result.logits)).toEqual(Array.from(ref.logits));
  });

  it('reports errors as messages, not crashes', () => {
    const runner = new CpuPathRunner();
    const reply = runner.handle({
      id: 1,
      type: 'forward',
      tokens: [1],
      append: false,
      activations: false,
      logits: 'all',
    });
    expect(reply).toMatchObject({ ok: false, error: expect.stringMatching(/prepare/) });
    runner.handle({ id: 2, type: 'prepare', weights: dense, path: 'dense' });
    const tooLong = Array.from({ length: dense.config.nCtx + 1 }, () => 1);
    const r2 = runner.handle({
      id: 3,
      type: 'forward',
      tokens: tooLong,
      append: false,
      activations: false,
      logits: 'all',
    });
    expect(r2).toMatchObject({ ok: false, error: expect.stringMatching(/context/) });
  });
});
