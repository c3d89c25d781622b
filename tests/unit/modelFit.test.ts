// Running out of GPU memory while uploading (which WebGPU cannot predict: it exposes no memory size) gives
// a message with the sizes asked for, frees what was made, and other errors pass through unchanged.
import { describe, expect, it } from 'vitest';
import { checkModelFits } from '../../src/engine/webgpu/modelBuffers';
import { uploadWithinMemory } from '../../src/engine/webgpu/modelFit';
import type { GpuContext } from '../../src/gpu/context';
import { randomCspModel } from '../cspFixtures';

/** A device whose out-of-memory scope reports `oom` (or nothing). */
function fakeCtx(oom: string | null) {
  const scopes: string[] = [];
  const device = {
    pushErrorScope: (filter: string) => scopes.push(filter),
    popErrorScope: async () => (scopes.pop() === 'out-of-memory' && oom ? { message: oom } : null),
  };
  return { device } as unknown as GpuContext;
}

describe('uploadWithinMemory', () => {
  it('returns the upload when the device does not run out', async () => {
    let freed = 0;
    expect(
      await uploadWithinMemory(
        fakeCtx(null),
        'about 1 MiB',
        () => 42,
        () => freed++,
      ),
    ).toBe(42);
    expect(freed).toBe(0);
  });

  it('names the sizes and frees what was made when the device runs out', async () => {
    let freed = 0;
    const oom = uploadWithinMemory(
      fakeCtx('Out of memory'),
      'about 3.0 MiB for both networks',
      () => 1,
      () => freed++,
    );
    await expect(oom).rejects.toThrow(
      /ran out of memory.*needs about 3\.0 MiB for both networks.*CPU backend.*Out of memory/,
    );
    expect(freed).toBe(1);
    const mapped = uploadWithinMemory(
      fakeCtx(null),
      'about 9 MiB',
      () => {
        throw new RangeError('could not map');
      },
      () => freed++,
    );
    await expect(mapped).rejects.toThrow(/ran out of memory.*about 9 MiB.*could not map/);
    expect(freed).toBe(2);
  });

  it('passes other errors through unchanged', async () => {
    let freed = 0;
    const other = uploadWithinMemory(
      fakeCtx(null),
      'x',
      () => {
        throw new Error('the sparse path needs CSR weights');
      },
      () => freed++,
    );
    await expect(other).rejects.toThrow(/^the sparse path needs CSR weights$/);
    expect(freed).toBe(1);
  });
});

describe('checkModelFits', () => {
  it('names both per-buffer limits and the whole network size', () => {
    const w = randomCspModel({}, 1); // largest buffer: the 29×29 bigram table or lm_head, 3.6 KB
    const ctx = { limits: { maxStorageBufferBindingSize: 4096, maxBufferSize: 2048 } } as GpuContext;
    expect(() => checkModelFits(ctx, w)).toThrow(
      /needs a 0\.0 MiB buffer for .*at most 0\.0 MiB per buffer \(maxStorageBufferBindingSize 0\.0 MiB, maxBufferSize 0\.0 MiB\); the whole network needs about 0\.\d MiB/,
    );
    const roomy = { limits: { maxStorageBufferBindingSize: 8192, maxBufferSize: 8192 } } as GpuContext;
    expect(() => checkModelFits(roomy, w)).not.toThrow();
  });
});
