// The CPU DNN on several cores (Node worker threads): the images are split into one contiguous slice
// per worker and each worker runs every layer on its slice with the CPU sparse kernel (dnnThread.ts:
// WASM SIMD live images by default, or the JavaScript skip-zeros kernel);
// images are independent, so the workers never wait for one another. The network is sent once per worker
// and prepared there (transposed, or copied into wasm memory on the first run; not timed, like scipy's
// loading); a run's `seconds` is the wall time from posting the
// slices to the last reply, messages included. layerMs is, per layer, the slowest worker's time.
import { Worker } from 'node:worker_threads';
import type { CsrMatrix } from '../math/csr';
import { checkDnnRun, type DnnResult } from '../math/dnn';
import { dnnCategories, type SparseDnn, selectImages } from '../model/dnn';
import type { DnnLoopKernel, DnnThreadApi } from './dnnThread';
import { NodeWorkerLike } from './nodeRpc';
import { WorkerRpc } from './rpc';

/**
 * A worker thread could not load its code (the boot file or a module it imports is missing: the bundled
 * CLI without a worker entry, or no tsx beside the sources). The caller can run on its own thread.
 */
export class DnnWorkerStartError extends Error {
  override name = 'DnnWorkerStartError';
}

/** The thread's entry: the boot file beside this module (tsx from the sources; the bundle's own entry). */
const BOOT_URL = new URL('./dnnThreadBoot.mjs', import.meta.url);

const isModuleNotFound = (err: unknown): err is Error =>
  err instanceof Error &&
  ['ERR_MODULE_NOT_FOUND', 'MODULE_NOT_FOUND'].includes((err as { code?: unknown }).code as string);

interface Thread {
  port: NodeWorkerLike;
  rpc: WorkerRpc<DnnThreadApi>;
}

/** Contiguous image ranges [first, first + count) for `parts` workers, sizes differing by at most one. */
export function splitImageRanges(images: number, parts: number): { first: number; count: number }[] {
  const n = Math.max(1, Math.min(parts, images));
  return Array.from({ length: n }, (_, i) => {
    const first = Math.floor((i * images) / n);
    return { first, count: Math.floor(((i + 1) * images) / n) - first };
  });
}

export class DnnWorkerPool {
  private constructor(
    private readonly dnn: SparseDnn,
    private readonly threads: Thread[],
  ) {}

  private loaded: DnnLoopKernel = 'live-simd';

  get size(): number {
    return this.threads.length;
  }

  /** The kernel the threads run (resolved: 'skip-zeros' where WASM SIMD is missing). */
  get kernel(): DnnLoopKernel {
    return this.loaded;
  }

  static async create(
    dnn: SparseDnn,
    size: number,
    kernel: DnnLoopKernel = 'live-simd',
    bootUrl: URL = BOOT_URL,
  ): Promise<DnnWorkerPool> {
    if (!Number.isInteger(size) || size < 1)
      throw new Error(`DNN workers: ${size} is not a positive integer`);
    const notFound: Error[] = []; // a thread's code could not be loaded
    const threads = Array.from({ length: size }, (): Thread => {
      const worker = new Worker(bootUrl);
      worker.on('error', (err: unknown) => {
        if (isModuleNotFound(err)) notFound.push(err);
      });
      const port = new NodeWorkerLike(worker);
      return { port, rpc: new WorkerRpc<DnnThreadApi>(port, 'DNN worker') };
    });
    const pool = new DnnWorkerPool(dnn, threads);
    try {
      const layers = dnn.layers.map(({ rows, cols, rowPtr, colIdx, values }) => ({
        rows,
        cols,
        rowPtr,
        colIdx,
        values,
      }));
      const loaded = await Promise.all(
        threads.map((t) => t.rpc.call('load', { layers, bias: dnn.bias, ymax: dnn.ymax, kernel })),
      );
      pool.loaded = loaded[0];
    } catch (err) {
      await pool.close();
      if (notFound.length > 0) {
        throw new DnnWorkerStartError(`DNN worker threads cannot start: ${notFound[0].message}`);
      }
      throw err;
    }
    return pool;
  }

  /** Y₀ (images × K₀, CSR) through every layer, split across the workers. */
  async run(input: CsrMatrix): Promise<DnnResult> {
    checkDnnRun(this.dnn, input); // the same limits as one thread's run, before any slice is made
    const width = this.dnn.layers[this.dnn.layers.length - 1].rows;
    const ranges = splitImageRanges(input.rows, this.threads.length);
    const slices = ranges.map(({ first, count }) => selectImages(input, first, count));
    const t0 = performance.now();
    const replies = await Promise.all(
      slices.map(({ rows, cols, rowPtr, colIdx, values }, i) =>
        this.threads[i].rpc.call('run', { input: { rows, cols, rowPtr, colIdx, values } }),
      ),
    );
    const seconds = (performance.now() - t0) / 1000;
    const y = new Float32Array(input.rows * width);
    const layerMs = new Array<number>(this.dnn.layers.length).fill(0);
    replies.forEach((r, i) => {
      y.set(r.y, ranges[i].first * width);
      r.layerMs.forEach((ms, l) => {
        layerMs[l] = Math.max(layerMs[l], ms);
      });
    });
    const fallback = replies.find((r) => r.fallback)?.fallback;
    return {
      y,
      categories: dnnCategories(y, input.rows, width),
      layerMs,
      seconds,
      ...(fallback ? { fallback: `a worker's ${fallback}` } : {}),
    };
  }

  async close(): Promise<void> {
    for (const t of this.threads) t.rpc.terminate();
    await Promise.all(this.threads.map((t) => t.port.exited));
  }
}
