// The total a network allocates on the GPU, as gpuModelBytes computes it for messages, equals what
// uploadModel really allocates: a circuit_sparsity model (bigram, sinks, untied head) and a GPT-2, both paths.
import { describe, expect, it } from 'vitest';
import { uploadModel } from '../../src/engine/webgpu/modelBuffers';
import { gpuModelBytes } from '../../src/engine/webgpu/modelFit';
import { CsrSpmm } from '../../src/gpu/kernels/spmmCsr';
import { circuitSparsityPair } from '../../src/model/circuitSparsity';
import { presetConfig } from '../../src/model/config';
import { initGpt2 } from '../../src/model/init';
import { sparsifyModel } from '../../src/model/sparsify';
import { randomCspModel } from '../cspFixtures';
import { gpuContext, withErrorScopes } from './harness';

describe('gpuModelBytes', () => {
  it('equals the bytes uploadModel allocates, both paths', async () => {
    const ctx = await gpuContext();
    const spmm = await CsrSpmm.create(ctx);
    const csp = circuitSparsityPair(randomCspModel({}, 5));
    const gpt2 = initGpt2(presetConfig('tiny'), { seed: 2 });
    const cases = [
      { weights: csp.dense, path: 'dense' as const },
      { weights: csp.sparse, path: 'sparse' as const },
      { weights: gpt2, path: 'dense' as const },
      { weights: sparsifyModel(gpt2, { density: 0.3 }), path: 'sparse' as const },
    ];
    await withErrorScopes(ctx.device, async () => {
      for (const { weights, path } of cases) {
        const model = uploadModel(ctx, spmm, weights, path);
        expect(model.bytes).toBeGreaterThan(0);
        expect(gpuModelBytes(weights, path), `${weights.config.arch ? 'csp' : 'gpt2'} ${path}`).toBe(
          model.bytes,
        );
        model.dispose();
      }
    });
  });
});
