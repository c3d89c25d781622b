// circuit_sparsity models on the WebGPU engine: both fixtures, both paths, against the independent numpy
// reference logits and hooks; KV-cache decoding; and a random model with n_head·d_head ≠ d_model and every
// AbsTopK location against the CPU forward pass.
import { describe, expect, it } from 'vitest';
import { WebGpuBackend } from '../../src/engine/webgpu/webgpuBackend';
import { forwardCsp } from '../../src/math/cspForward';
import { circuitSparsityPair } from '../../src/model/circuitSparsity';
import { loadCspFixture, maxAbsDiff, randomCspModel } from '../cspFixtures';
import { expectClose, gpuContext, withErrorScopes } from './harness';

const LOGIT_TOL = 2e-5; // vs the float64 reference (its own float32 run differs by ≤ 2.2e-6)

describe.each(['a', 'b'] as const)('fixture_%s on WebGPU', (name) => {
  it('both paths reproduce the reference logits and hooks, and KV-cache decoding matches', async () => {
    const ctx = await gpuContext();
    const fx = loadCspFixture(name);
    const pair = circuitSparsityPair(fx.weights);
    const backend = new WebGpuBackend(ctx);
    try {
      await backend.prepare(pair);
      const V = fx.weights.config.vocabSize;
      const nLayer = fx.weights.config.nLayer;
      for (const path of ['dense', 'sparse'] as const) {
        const out = await withErrorScopes(ctx.device, () => backend.forward(fx.tokens, { path }));
        expect(maxAbsDiff(out.logits, fx.logits), `${path} logits`).toBeLessThan(LOGIT_TOL);
        for (let l = 0; l < nLayer; l++) {
          expectClose(out.activations.residual[l], fx.hooks.get(`${l}.resid_in`) as Float32Array, 2e-5, 0);
          expectClose(out.activations.mlp[l], fx.hooks.get(`${l}.mlp.post_act`) as Float32Array, 2e-5, 0);
        }
        expectClose(out.activations.residual[nLayer], fx.hooks.get('final_resid') as Float32Array, 2e-5, 0);
        // Decoding: a 5-token prefill, then one token at a time with only the last row of logits.
        await backend.forward(fx.tokens.slice(0, 5), { path });
        for (let t = 5; t < fx.tokens.length; t++) {
          const step = await backend.forward([fx.tokens[t]], { path, append: true, logits: 'last' });
          expect(
            maxAbsDiff(step.logits, fx.logits.subarray(t * V, (t + 1) * V)),
            `${path} token ${t}`,
          ).toBeLessThan(LOGIT_TOL);
        }
      }
    } finally {
      backend.dispose();
    }
  });
});

describe('a random circuit_sparsity model with n_head·d_head ≠ d_model', () => {
  it.each([
    ['RMSNorm, GELU, sink, bigram, AbsTopK everywhere', {}],
    [
      'LayerNorm, ReLU, residual ReLU, tied, no sink or bigram',
      {
        norm: 'layernorm',
        activation: 'relu',
        residualRelu: true,
        sink: false,
        bigram: false,
        tiedUnembed: true,
      },
    ],
  ] as const)('%s: WebGPU matches the CPU on both paths', async (_, arch) => {
    const ctx = await gpuContext();
    const weights = randomCspModel(arch, 11);
    if (!weights.config.arch?.sink) for (const b of weights.blocks) b.sinkLogit = undefined;
    if (!weights.config.arch?.bigram && weights.head) weights.head.bigram = null;
    if (weights.config.arch?.tiedUnembed && weights.head) weights.head.w = weights.wte;
    const pair = circuitSparsityPair(weights);
    const backend = new WebGpuBackend(ctx);
    const tokens = [3, 28, 0, 7, 7, 19, 2];
    try {
      await backend.prepare(pair);
      for (const path of ['dense', 'sparse'] as const) {
        const gpu = await withErrorScopes(ctx.device, () => backend.forward(tokens, { path }));
        const cpu = forwardCsp(path === 'dense' ? pair.dense : pair.sparse, tokens, { path });
        expectClose(gpu.logits, cpu.logits, 1e-4, 1e-4);
      }
    } finally {
      backend.dispose();
    }
  });
});
