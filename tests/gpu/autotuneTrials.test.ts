// A candidate that passes its check but cannot bind the real shape (here: an output buffer too small) is
// rejected with the kernel it compiled freed, not leaked.
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { denseCandidates } from '../../src/gpu/autotune/candidates';
import { openDenseTrial } from '../../src/gpu/autotune/trials';
import { adapterCaps } from '../../src/gpu/autotune/tuner';
import { storageBuffer, uploadStorage } from '../../src/gpu/buffers';
import type { GpuContext } from '../../src/gpu/context';
import { DenseMatmul } from '../../src/gpu/kernels/matmul';
import { GpuTiming } from '../../src/gpu/timing';
import { Rng } from '../../src/math/rng';
import { gpuContext } from './harness';

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await gpuContext();
});
afterEach(() => vi.restoreAllMocks());

describe('a candidate trial', () => {
  it('frees its kernel when the real shape does not bind', async () => {
    const { device } = ctx;
    const rng = new Rng(3);
    const shape = { batch: 5, n: 40, k: 24 };
    const [choice] = denseCandidates(shape, adapterCaps(ctx));
    const buffers = [
      uploadStorage(device, 'x', rng.uniformArray(shape.batch * shape.k)),
      uploadStorage(device, 'w', rng.uniformArray(shape.n * shape.k)),
      uploadStorage(device, 'bias', rng.uniformArray(shape.n)),
      storageBuffer(device, 'y', 4), // far too small for 5 × 40 outputs
    ];
    const [x, w, bias, y] = buffers;
    const timing = new GpuTiming(device, 1, 'Test');
    const created: DenseMatmul[] = [];
    const disposed = new Set<DenseMatmul>();
    const create = DenseMatmul.create;
    vi.spyOn(DenseMatmul, 'create').mockImplementation(async (...args) => {
      const k = await create.apply(DenseMatmul, args);
      created.push(k);
      const dispose = k.dispose.bind(k);
      k.dispose = () => {
        disposed.add(k);
        dispose();
      };
      return k;
    });
    try {
      await expect(openDenseTrial(ctx, choice, { shape, x, w, bias, y }, timing, rng)).rejects.toThrow();
      expect(created.length).toBeGreaterThan(0);
      expect(created.filter((k) => !disposed.has(k))).toEqual([]);
    } finally {
      timing.dispose();
      for (const b of buffers) b.destroy();
    }
  });
});
