// An HF-format GPT-2 checkpoint (written by scripts/make_gpt2_fixture.py, HF key names, Conv1D layout,
// mask buffers) gives the independent numpy reference's logits on WebGPU, on both paths.
import { readFileSync } from 'node:fs';
import { describe, it } from 'vitest';
import { WebGpuBackend } from '../../src/engine/webgpu/webgpuBackend';
import { loadHfGpt2 } from '../../src/model/hfGpt2';
import { sparsifyModel } from '../../src/model/sparsify';
import { expectClose, gpuContext, withErrorScopes } from './harness';

const dir = new URL('../fixtures/tiny-gpt2/', import.meta.url);
const configJson = readFileSync(new URL('config.json', dir), 'utf8');
const reference = JSON.parse(readFileSync(new URL('reference.json', dir), 'utf8')) as {
  tokens: number[];
  logits: number[];
  logits_f16: number[];
};

describe('HF GPT-2 checkpoint on WebGPU', () => {
  for (const [file, expected] of [
    ['model.safetensors', 'logits'],
    ['model-f16.safetensors', 'logits_f16'],
  ] as const) {
    it(`${file}: dense and sparse (density 1) paths reproduce the numpy reference`, async () => {
      const ctx = await gpuContext();
      const { weights } = loadHfGpt2(new Uint8Array(readFileSync(new URL(file, dir))), {
        fileName: file,
        configJson,
      });
      const backend = new WebGpuBackend(ctx);
      await backend.prepare({ dense: weights, sparse: sparsifyModel(weights, { density: 1 }) });
      for (const path of ['dense', 'sparse'] as const) {
        const result = await withErrorScopes(ctx.device, () =>
          backend.forward(reference.tokens, { path, activations: false }),
        );
        expectClose(result.logits, reference[expected], 1e-4, 1e-4);
      }
      backend.dispose();
    });
  }
});
