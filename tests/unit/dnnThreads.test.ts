// The CPU DNN split across worker threads (src/engine/dnnThreads.ts) equals the single-thread kernel; the
// worker RPC over a Node thread (src/engine/nodeRpc.ts) fails its calls when the thread ends.
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { DnnWorkerPool, DnnWorkerStartError, splitImageRanges } from '../../src/engine/dnnThreads';
import { NodeWorkerLike } from '../../src/engine/nodeRpc';
import { WorkerRpc } from '../../src/engine/rpc';
import { CsrMatrix } from '../../src/math/csr';
import { runDnnCpu } from '../../src/math/dnn';
import { Rng } from '../../src/math/rng';
import type { SparseDnn } from '../../src/model/dnn';

describe('DNN worker pool', () => {
  it('splits images into contiguous ranges that cover them once', () => {
    expect(splitImageRanges(10, 3)).toEqual([
      { first: 0, count: 3 },
      { first: 3, count: 3 },
      { first: 6, count: 4 },
    ]);
    expect(splitImageRanges(2, 4)).toEqual([
      { first: 0, count: 1 },
      { first: 1, count: 1 },
    ]);
  });

  // Starting a thread loads tsx and the sources (~1 s each on a busy machine): a longer timeout, 2 threads.
  it('2 worker threads give the same activations and categories as the main thread, either kernel', async () => {
    const rng = new Rng(99);
    const widths = [31, 40, 23, 17];
    const layers = widths.slice(1).map((n, l) => {
      const dense = new Float32Array(n * widths[l]).map(() => (rng.next() < 0.1 ? rng.normal() * 0.7 : 0));
      return CsrMatrix.fromDense(dense, n, widths[l]);
    });
    const dnn: SparseDnn = { layers, bias: -0.6, ymax: 32, names: layers.map((_, l) => `w${l + 1}`) };
    const x = new Float32Array(50 * 31).map(() => (rng.next() < 0.4 ? rng.next() * 3 : 0));
    const input = CsrMatrix.fromDense(x, 50, 31);
    const single = runDnnCpu(dnn, input, { path: 'sparse' });
    expect(single.categories.length).toBeGreaterThan(0);
    expect(single.categories.length).toBeLessThan(50);
    for (const kernel of ['live-simd', 'skip-zeros'] as const) {
      const pool = await DnnWorkerPool.create(dnn, 2, kernel);
      try {
        expect(pool.size).toBe(2);
        expect(pool.kernel).toBe(kernel);
        const split = await pool.run(input);
        const one = runDnnCpu(dnn, input, { path: 'sparse', sparseKernel: kernel });
        expect(split.y).toEqual(one.y);
        expect(split.categories).toEqual(single.categories);
        expect(split.layerMs).toHaveLength(3);
      } finally {
        await pool.close();
      }
    }
    await expect(DnnWorkerPool.create(dnn, 0)).rejects.toThrow(/positive integer/);
  }, 60_000);

  // The bundled CLI had no worker entry (scripts/bundle-cli.ts now bundles one): a pool whose threads
  // cannot load their code says so with DnnWorkerStartError, which the CLI turns into a main-thread run.
  it('threads whose boot file is missing fail with DnnWorkerStartError, not a generic error', async () => {
    const dnn: SparseDnn = {
      layers: [CsrMatrix.fromDense(new Float32Array([1, 0, 0, 1]), 2, 2)],
      bias: -0.1,
      ymax: 32,
      names: ['w1'],
    };
    const missing = new URL('./no-such-dnn-boot.mjs', import.meta.url);
    const start = DnnWorkerPool.create(dnn, 2, 'live-simd', missing);
    await expect(start).rejects.toThrow(DnnWorkerStartError);
    await expect(start).rejects.toThrow(/cannot start: Cannot find module .*no-such-dnn-boot\.mjs/);
  });
});

describe('worker RPC over a Node worker thread', () => {
  it('a thread that exits fails the pending call and every later one, naming the worker', async () => {
    const rpc = new WorkerRpc<{ ping(arg: null): string }>(
      new NodeWorkerLike(new Worker('setTimeout(() => process.exit(3), 50)', { eval: true })),
      'test thread',
    );
    await expect(rpc.call('ping', null)).rejects.toThrow('test thread failed: the thread exited (code 3)');
    await expect(rpc.call('ping', null)).rejects.toThrow(/exited \(code 3\)/);
  });
});
