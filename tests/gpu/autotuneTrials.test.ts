// A candidate whose output is wrong is refused by the check against the CPU reference; a candidate that passes
// its check but cannot bind the real shape (here: an output buffer too small) is rejected with the kernel it
// compiled freed, not leaked.
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { denseCandidates } from '../../src/gpu/autotune/candidates';
import { checkedDenseKernel, openDenseTrial } from '../../src/gpu/autotune/trials';
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
  it('refuses a kernel that leaves outputs unwritten (the check reads back NaN-poisoned rows)', async () => {
    const shape = { batch: 5, n: 40, k: 24 };
    const [choice] = denseCandidates(shape, adapterCaps(ctx));
    // The good kernel passes; the same kernel bound for one batch row fewer than asked must not.
    const good = await checkedDenseKernel(ctx, choice, shape, new Rng(4));
    good.dispose();
    const bind = DenseMatmul.prototype.bind;
    vi.spyOn(DenseMatmul.prototype, 'bind').mockImplementation(function (this: DenseMatmul, b, s, v) {
      return bind.call(this, b, s.batch > 1 ? { ...s, batch: s.batch - 1 } : s, v);
    });
    await expect(checkedDenseKernel(ctx, choice, shape, new Rng(4))).rejects.toThrow(/wrong output/);
  });

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
