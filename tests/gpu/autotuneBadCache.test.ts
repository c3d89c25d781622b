// A hand-edited or stale tuning cache never costs the GPU path: entries the adapter cannot run are
// dropped on load with a warning, and kernels that still fail to build fall back to today's defaults.
import { beforeAll, describe, expect, it } from 'vitest';
import { linearTuneRequest, linearUses } from '../../src/engine/webgpu/linearTuning';
import { WebGpuBackend } from '../../src/engine/webgpu/webgpuBackend';
import { adapterIdentity, kernelVersion, saveTuning, tuningCacheKey } from '../../src/gpu/autotune/cache';
import { linearKernelsFor } from '../../src/gpu/autotune/prepare';
import { csrKey, denseKey, KernelChooser, type TuningTable } from '../../src/gpu/autotune/table';
import { adapterCaps } from '../../src/gpu/autotune/tuner';
import type { GpuContext } from '../../src/gpu/context';
import { csrTuningFor } from '../../src/gpu/kernels/spmmCsr';
import { presetConfig } from '../../src/model/config';
import { initGpt2 } from '../../src/model/init';
import { sparsifyModel } from '../../src/model/sparsify';
import { gpuContext } from './harness';

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await gpuContext();
});

const dense = initGpt2(presetConfig('test'), { seed: 5, std: 0.2 });
const models = { dense, sparse: sparsifyModel(dense, { density: 0.25 }) };

/** A tile of 32×32 invocations (over every adapter's 256 here) and an unknown CSR variant, at batch 7. */
function badTable(): TuningTable {
  const req = linearTuneRequest(models, [7]);
  const table: Record<string, unknown> = {};
  const tiled = { TX: 32, TY: 32, RM: 2, RN: 2, BK: 8 };
  for (const s of req.dense) {
    table[denseKey(s)] = {
      batch: 7,
      how: 'tuned',
      choice: {
        family: 'dense',
        variant: 'tiled-vec4',
        tuning: { tiled, gemv: { ROWS: 8, LANES: 32 }, naive: { WG: 64 } },
      },
    };
  }
  for (const s of req.csr) {
    table[csrKey(s)] = { batch: 7, how: 'tuned', choice: { family: 'csr', variant: 'bogus', tuning: {} } };
  }
  return table as TuningTable;
}

describe('a bad tuning cache', () => {
  it('is dropped on load with a warning, and prepare() runs on the GPU', async () => {
    let text: string | null = null;
    const store = {
      where: 'memory',
      read: () => text,
      write: (t: string) => {
        text = t;
      },
    };
    saveTuning(store, tuningCacheKey(adapterIdentity(ctx), kernelVersion()), badTable(), 'x', () => {});
    const backend = new WebGpuBackend(ctx);
    const warnings: string[] = [];
    backend.tuning = { mode: 'auto', store, batches: [7], budgetMs: 0, warn: (m) => warnings.push(m) };
    try {
      await backend.prepare(models);
      expect(warnings.join('\n')).toMatch(/not a kernel this adapter can run today/);
      const runs = await backend.forward([1, 2, 3, 4, 5, 6, 7], { path: 'sparse' });
      expect(runs.logits.every(Number.isFinite)).toBe(true);
    } finally {
      backend.dispose();
    }
  });

  it('whose kernels fail to build falls back to today defaults with a warning', async () => {
    const chooser = new KernelChooser(badTable(), new Set(), adapterCaps(ctx), csrTuningFor(ctx));
    const warnings: string[] = [];
    const built = await linearKernelsFor(
      ctx,
      {
        chooser,
        cached: 3,
        cacheKey: 'k',
        summary: { shapes: 4, tunedNow: 0, tunedCached: 4, defaultKept: 0, notReached: 0 },
      },
      linearUses(models),
      (m) => warnings.push(m),
    );
    try {
      expect(warnings.join('\n')).toMatch(/could not be built/);
      expect(built.tuned.chooser.table).toEqual({});
      expect(built.tuned.cached).toBe(0);
      expect(built.tuned.summary).toMatchObject({ shapes: 4, tunedCached: 0, notReached: 4 });
    } finally {
      built.linear.dispose();
    }
  });
});
