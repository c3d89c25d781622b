// The CLI on WebGPU when a GPU step throws after a validation error: the command reports the GPU error
// (GpuJobError, "failed on the GPU (validation: …)") rather than the throw it caused, and pops every scope
// it pushed. The step (dnn's plan, run's and bench-model's prepare) raises a validation error, then throws.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main';
import { WebGpuBackend } from '../../src/engine/webgpu/webgpuBackend';
import type { GpuContext } from '../../src/gpu/context';

const seen = vi.hoisted(() => ({ ctx: null as GpuContext | null }));

/** Raise a validation error on `ctx`'s device, then throw (the failure it caused). */
function failAfterValidationError(ctx: GpuContext): never {
  seen.ctx = ctx;
  const { device } = ctx;
  const y = device.createBuffer({ size: 16, usage: GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(y, 0, y, 8, 16); // past the end: a validation error …
  device.queue.submit([encoder.finish()]);
  throw new Error('the step failed'); // … and its consequence
}

vi.mock('../../src/engine/dnnGpu', () => ({
  DnnGpuPlan: { create: async (ctx: GpuContext) => failAfterValidationError(ctx) },
}));

const DATA = resolve(
  fileURLToPath(new URL('../..', import.meta.url)),
  '..',
  'shared',
  'data',
  'graph-challenge-dnn',
);

/** Run the CLI; its exit status and what it said on stderr. */
async function cli(argv: string[]): Promise<{ status: number; said: string }> {
  seen.ctx = null;
  const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
  vi.spyOn(console, 'log').mockImplementation(() => {});
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const status = await main(argv);
  return { status, said: errors.mock.calls.map((c) => String(c[0])).join('\n') };
}

/** Every scope the command pushed was popped: one more pop finds the device's stack empty. */
async function expectScopesPopped(): Promise<void> {
  expect(seen.ctx).not.toBeNull();
  await expect(seen.ctx!.device.popErrorScope()).rejects.toThrow();
}

describe('CLI GPU error scopes', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    seen.ctx?.dispose(); // the command's own device, left open by the failure
  });

  for (const command of ['run', 'bench-model']) {
    it(`${command}: a prepare that throws after a GPU validation error reports the GPU error; scopes popped`, {
      timeout: 60_000,
    }, async () => {
      vi.spyOn(WebGpuBackend.prototype, 'prepare').mockImplementation(async function (this: WebGpuBackend) {
        failAfterValidationError(this.ctx);
      });
      const args =
        command === 'run'
          ? ['run', '--model', 'tiny', '--tokens', '1,2,3', '--no-tune']
          : ['bench-model', '--model', 'tiny', '--prefill', '4', '--decode-at', '4', '--no-tune'];
      const { status, said } = await cli(args);
      expect(status).toBe(1);
      expect(said).toMatch(/failed on the GPU \(validation: /);
      expect(said).not.toMatch(/the step failed/);
      await expectScopesPopped();
    });
  }

  it('dnn: a step that throws after a GPU validation error reports the GPU error; the scopes are popped', {
    timeout: 60_000,
  }, async () => {
    const { status, said } = await cli([
      'dnn',
      '--layers',
      DATA,
      '--nlayers',
      '2',
      '--input',
      `${DATA}/sparse-images-1024_subset.mtx`,
      '--images',
      '4',
    ]);
    expect(status).toBe(1);
    expect(said).toMatch(/dnn \(sparse path\) failed on the GPU \(validation: /);
    expect(said).not.toMatch(/the step failed/);
    await expectScopesPopped();
  });
});
