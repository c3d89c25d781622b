// The one bench runner behind `sparsescope bench` and the benchmark panel, on its CPU target: the sweep's
// records, the environment it reports, progress, and a cancel that stops it.
import { describe, expect, it } from 'vitest';
import { cpuKernelLabel } from '../../src/bench/cpuSweep';
import { type BenchProgress, runBench } from '../../src/bench/runBench';

const config = {
  shapes: [{ n: 24, k: 40 }],
  densities: [1, 1 / 8],
  batches: [1, 3],
  seed: 2,
  timing: { samples: 2 },
};

describe('runBench on the CPU', () => {
  it('runs every point of the sweep and says what it measured where', async () => {
    const progress: BenchProgress[] = [];
    const run = await runBench({ kind: 'cpu' }, config, { onProgress: (p) => progress.push(p) });
    expect(run.environment).toEqual({ backend: 'cpu', adapter: cpuKernelLabel(), timer: 'wall' });
    expect(cpuKernelLabel()).toMatch(/^WASM SIMD/); // Node has WASM SIMD: the label says so
    expect(run.compile).toBeUndefined();
    // Per batch: one dense point and one sparse point per density.
    expect(run.records.map((r) => `${r.path} b${r.batch} d${r.density}`)).toEqual([
      'dense b1 d1',
      'sparse b1 d1',
      'sparse b1 d0.125',
      'dense b3 d1',
      'sparse b3 d1',
      'sparse b3 d0.125',
    ]);
    for (const r of run.records) {
      expect(r.medianMs).toBeGreaterThan(0);
      expect(r.samples).toBe(2);
      // Useful flops: 2·N·K·B dense, 2·nnz·B sparse.
      const flops = 2 * (r.path === 'dense' ? r.n * r.k : r.nnz) * r.batch;
      expect(r.gflops).toBeCloseTo(flops / (r.medianMs * 1e6), 6);
    }
    expect(progress.every((p) => p.phase === 'sweep')).toBe(true);
    expect(progress.at(-1)).toMatchObject({ done: 6, total: 6, current: 'done' });
  });

  it('stops with an AbortError when cancelled', async () => {
    const abort = new AbortController();
    abort.abort();
    await expect(runBench({ kind: 'cpu' }, config, { signal: abort.signal })).rejects.toThrow('cancelled');
  });
});
