// The measurement protocol repeats short ops inside one forward (BackendForwardOptions.repeats): a
// repeated pass must leave the same results — the logits and the KV cache (incremental decoding after a
// repeated prefill) equal those of a forward without repeats — and the timings say how often each ran.
import { beforeAll, describe, expect, it } from 'vitest';
import { WebGpuBackend } from '../../src/engine/webgpu/webgpuBackend';
import { forwardCpu } from '../../src/math/transformer';
import { presetConfig } from '../../src/model/config';
import { initGpt2 } from '../../src/model/init';
import { sparsifyModel } from '../../src/model/sparsify';
import type { Gpt2Weights } from '../../src/model/weights';
import { expectClose, gpuContext, withErrorScopes } from './harness';

const OPS = [
  'embed',
  'ln1',
  'qkv',
  'attn.core',
  'attn.proj',
  'attn.add',
  'ln2',
  'fc',
  'fc.proj',
  'mlp.add',
  'lnf',
  'unembed',
];
const repeats = Object.fromEntries(OPS.map((op) => [op, 3]));

describe('repeated passes inside one forward', () => {
  let backend: WebGpuBackend;
  let dense: Gpt2Weights;
  const tokens = [3, 17, 0, 22, 5];

  beforeAll(async () => {
    const ctx = await gpuContext();
    dense = initGpt2(presetConfig('test'), { seed: 8, std: 0.2 });
    backend = new WebGpuBackend(ctx);
    await backend.prepare({ dense, sparse: sparsifyModel(dense, { density: 0.25 }) });
  });

  for (const path of ['dense', 'sparse'] as const) {
    it(`${path}: the same logits and KV cache as without repeats; residual adds run once`, async () => {
      const ctx = await gpuContext();
      const plain = await backend.forward(tokens, { path, activations: false });
      const repeated = await withErrorScopes(ctx.device, () =>
        backend.forward(tokens, { path, activations: false, repeats }),
      );
      expectClose(repeated.logits, plain.logits, 1e-6, 1e-6);
      for (const t of repeated.timings.filter((x) => OPS.includes(x.op))) {
        expect(t.repeats ?? 1, `${t.layer}:${t.op}`).toBe(t.op.endsWith('.add') ? 1 : 3);
      }
      // The cache the repeated prefill left gives the same next step as a plain full forward.
      const step = await backend.forward([7], { path, append: true, activations: false, repeats });
      const full = forwardCpu(
        path === 'dense' ? dense : sparsifyModel(dense, { density: 0.25 }),
        [...tokens, 7],
        {
          path,
          collectActivations: false,
        },
      );
      const vocab = dense.config.vocabSize;
      expectClose(step.logits, full.logits.subarray(tokens.length * vocab), 1e-4, 1e-3);
    });
  }

  it('the CPU forward repeats the same ops and gives the same logits', () => {
    const plain = forwardCpu(dense, tokens, { collectActivations: false });
    const repeated = forwardCpu(dense, tokens, { collectActivations: false, repeats });
    expect(Array.from(repeated.logits)).toEqual(Array.from(plain.logits));
    const ran = Object.fromEntries(repeated.timings.map((t) => [t.op, t.repeats ?? 1]));
    expect(ran).toMatchObject({ qkv: 3, 'attn.core': 3, 'attn.add': 1, 'mlp.add': 1, unembed: 3, attn: 1 });
  });
});
