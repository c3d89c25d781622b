// LinearKernels compiles, up front, every kernel its chooser can answer with at any batch: a table with
// choices tuned at batches the fixed probe list misses (bench-model --prefill 9,10,11) still binds.
import { describe, expect, it, vi } from 'vitest';

vi.mock('../../src/gpu/kernels/matmul', async (orig) => {
  const real = (await orig()) as Record<string, unknown>;
  class FakeDense {
    constructor(readonly variants: string[]) {}
    static async create(_ctx: unknown, opts: { variants: string[] }) {
      return new FakeDense(opts.variants);
    }
    bind(_b: unknown, _s: unknown, v: string) {
      if (!this.variants.includes(v)) throw new Error(`not compiled ${v}`);
      return { label: `DenseMatmul.${v}`, pipeline: {}, bindGroup: {}, workgroups: [1, 1, 1], uniforms: [] };
    }
    dispose() {}
  }
  return { ...real, DenseMatmul: FakeDense };
});

import type { AdapterCaps } from '../../src/gpu/autotune/candidates';
import { LinearKernels } from '../../src/gpu/autotune/linearKernels';
import { KernelChooser, type TuningTable } from '../../src/gpu/autotune/table';
import type { GpuContext } from '../../src/gpu/context';
import { DEFAULT_CSR_TUNING } from '../../src/gpu/kernels/spmmCsr';

const caps: AdapterCaps = {
  fallbackAdapter: false,
  subgroups: true,
  maxInvocations: 256,
  maxWorkgroupStorage: 16384,
};

describe('LinearKernels', () => {
  it('binds every batch 1..4096 when choices were tuned at batches between the probes', async () => {
    const tuning = (TX: number) => ({
      tiled: { TX, TY: 4, RM: 2, RN: 2, BK: 16 },
      gemv: { ROWS: 8, LANES: 32 },
      naive: { WG: 64 },
    });
    const entry = (batch: number, TX: number) => ({
      choice: { family: 'dense' as const, variant: 'tiled-vec4' as const, tuning: tuning(TX) },
      batch,
      how: 'tuned' as const,
    });
    const table: TuningTable = {
      'dense 768x768 b9': entry(9, 8),
      'dense 768x768 b10': entry(10, 4),
      'dense 768x768 b11': entry(11, 16),
      'dense 768x768 b700': entry(700, 2),
    };
    const chooser = new KernelChooser(table, new Set(), caps, DEFAULT_CSR_TUNING);
    const set = await LinearKernels.create({} as GpuContext, chooser, [
      { n: 768, k: 768, activation: 'none', bias: true },
    ]);
    const buf = {} as GPUBuffer;
    const failures: number[] = [];
    for (let batch = 1; batch <= 4096; batch++) {
      try {
        set.bindDense('none', { x: buf, w: buf, bias: buf, y: buf }, { batch, n: 768, k: 768 });
      } catch {
        failures.push(batch);
      }
    }
    expect(failures).toEqual([]);
  });
});
