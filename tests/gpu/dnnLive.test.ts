// The DNN's activation-sparse GPU path (shaders/dnn_live_layer.wgsl + dnn_live_compact.wgsl, through
// DnnGpuPlan) against the CPU and against the all-images GPU path, on a network where images die at
// different layers (some already dead at the input), widths that are not tile multiples, batches that
// are not a multiple of the 4-slot quads, of the 16 images per thread or of the 256-slot compaction chunk,
// fewer images than one thread holds, and every image dying. The plan poisons its activation buffers, so a
// kept slot that was never written fails as NaN.
import { describe, expect, it } from 'vitest';
import { DnnGpuPlan, runDnnGpu } from '../../src/engine/dnnGpu';
import { liveLayerGrid, liveRowsExact, liveSlots } from '../../src/gpu/kernels/dnnLive';
import { CsrMatrix } from '../../src/math/csr';
import { runDnnCpu } from '../../src/math/dnn';
import { Rng } from '../../src/math/rng';
import type { SparseDnn } from '../../src/model/dnn';
import { expectClose, gpuContext, withErrorScopes } from './harness';

/** Rows of `y` (batch × width) with a nonzero. */
function liveRows(y: Float32Array, batch: number, width: number): number {
  let n = 0;
  for (let b = 0; b < batch; b++) if (y.subarray(b * width, (b + 1) * width).some((v) => v !== 0)) n++;
  return n;
}

describe('DNN on the GPU, live images only', () => {
  it('grid and exactness rules', () => {
    expect(liveLayerGrid(1024, 1200)).toEqual([1200, 1, 1]); // 75 threads of 16 images per neuron, 64 a group
    expect(liveLayerGrid(13, 1)).toEqual([1, 1, 1]);
    expect(liveLayerGrid(13, 0)).toEqual([1, 1, 1]); // nothing alive: one group that returns at once
    expect(liveLayerGrid(65536, 60000)).toEqual([65535, 59, 1]); // folded into y past 65535 groups
    expect(liveSlots(263)).toBe(264);
    expect(liveSlots(8)).toBe(8);
    expect(liveRowsExact(-0.3)).toBe(true);
    expect(liveRowsExact(0)).toBe(true);
    expect(liveRowsExact(0.1)).toBe(false);
  });

  it('matches the CPU and the all-images path while images die layer by layer', async () => {
    const ctx = await gpuContext();
    const rng = new Rng(4242);
    const widths = [37, 50, 29, 64, 13];
    const layers = widths.slice(1).map((n, l) => {
      const k = widths[l];
      const dense = new Float32Array(n * k).map(() => (rng.next() < 0.04 ? rng.normal() * 0.6 : 0));
      return CsrMatrix.fromDense(dense, n, k);
    });
    const dnn: SparseDnn = { layers, bias: -0.35, ymax: 32, names: layers.map((_, l) => `live-l${l + 1}`) };
    const batch = 263; // > one 256-slot compaction chunk, not a multiple of 4 or 16
    const x = new Float32Array(batch * 37).map(() => (rng.next() < 0.4 ? rng.next() * 3 : 0));
    for (let b = 0; b < batch; b += 17) x.fill(0, b * 37, (b + 1) * 37); // dead from the start
    const input = CsrMatrix.fromDense(x, batch, 37);

    // The case must exercise the compaction: images die at several layers, some survive.
    const alive = [liveRows(x, batch, 37)];
    for (let l = 1; l <= layers.length; l++) {
      const y = runDnnCpu({ ...dnn, layers: layers.slice(0, l) }, input, { path: 'dense' }).y;
      alive.push(liveRows(y, batch, widths[l]));
    }
    expect(alive).toEqual([247, 247, 183, 72, 27]); // 16 dead at the input, then 0, 64, 111, 45 more

    const cpu = runDnnCpu(dnn, input, { path: 'sparse' });
    const plan = await DnnGpuPlan.create(ctx, dnn, 'sparse', batch);
    try {
      expect(plan.sparseKernel).toBe('live-rows');
      for (let run = 0; run < 2; run++) {
        // twice: the second run starts from the state the first one left
        const live = await withErrorScopes(ctx.device, () => plan.run(input));
        expectClose(live.y, cpu.y, 1e-5, 1e-5);
        expect(live.categories).toEqual(cpu.categories);
      }
    } finally {
      plan.dispose();
    }
    const all = await withErrorScopes(ctx.device, () =>
      runDnnGpu(ctx, dnn, input, { path: 'sparse', allImages: true }),
    );
    expectClose(all.y, cpu.y, 1e-5, 1e-5);
  });

  it('matches the CPU with fewer images than one thread holds, and when every image dies', async () => {
    const ctx = await gpuContext();
    const rng = new Rng(99);
    const make = (n: number, k: number, sign: number) =>
      CsrMatrix.fromDense(
        new Float32Array(n * k).map(() => (rng.next() < 0.2 ? sign * rng.next() : 0)),
        n,
        k,
      );
    const names = ['a', 'b', 'c'];
    // Layer 2 all negative: nothing survives it; the other network keeps some images to the end.
    const dead: SparseDnn = {
      layers: [make(30, 21, 1), make(19, 30, -1), make(26, 19, 1)],
      bias: -0.1,
      ymax: 32,
      names,
    };
    const survives: SparseDnn = { ...dead, layers: [make(30, 21, 1), make(19, 30, 1), make(26, 19, 1)] };
    for (const [dnn, batch, expectLive] of [
      [dead, 5, false],
      [dead, 37, false],
      [survives, 5, true],
      [survives, 1, true],
    ] as const) {
      const x = new Float32Array(batch * 21).map(() => (rng.next() < 0.5 ? rng.next() * 2 : 0));
      const input = CsrMatrix.fromDense(x, batch, 21);
      const cpu = runDnnCpu(dnn, input, { path: 'sparse' });
      expect(cpu.categories.length > 0).toBe(expectLive); // the case is what it says
      const gpu = await withErrorScopes(ctx.device, () => runDnnGpu(ctx, dnn, input, { path: 'sparse' }));
      expectClose(gpu.y, cpu.y, 1e-5, 1e-5);
      expect(gpu.categories).toEqual(cpu.categories);
    }
  });

  it('keeps a positive-bias network on the all-images path (there no image dies)', async () => {
    const ctx = await gpuContext();
    const w = CsrMatrix.fromDense(new Float32Array([1, 0, 0, 1]), 2, 2);
    const dnn: SparseDnn = { layers: [w], bias: 0.5, ymax: 32, names: ['pos'] };
    const plan = await DnnGpuPlan.create(ctx, dnn, 'sparse', 3);
    try {
      expect(plan.sparseKernel).toBe('all-rows');
      const input = CsrMatrix.fromDense(new Float32Array([0, 0, 1, 0, 0, 2]), 3, 2);
      const result = await withErrorScopes(ctx.device, () => plan.run(input));
      expectClose(result.y, new Float32Array([0.5, 0.5, 1.5, 0.5, 0.5, 2.5]), 1e-6, 1e-6);
    } finally {
      plan.dispose();
    }
  });
});
