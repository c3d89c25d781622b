// The CPU backend: the same forward pass as the oracle (src/math/transformer.ts), one runner per path.
// In the browser each runner is a Web Worker (the page stays responsive, and the two paths use two cores);
// in Node (CLI, tests) the runners are called inline. Both through one RPC (src/engine/rpc.ts).
import type { ForwardResult, WeightPath } from '../../contracts';
import type { CsrMatrix } from '../../math/csr';
import type { FallbackNote } from '../../math/wasm/fallbacks';
import { releaseResident } from '../../math/wasm/heap';
import { dnnTimings } from '../../model/graphDnn';
import type { Backend, BackendForwardOptions, DnnModel, DnnRun, ModelPair } from '../backend';
import { InlineRpc, type RpcClient, WorkerRpc } from '../rpc';
import { type CpuPathApi, CpuPathRunner } from './protocol';

export type WorkerFactory = () => Worker;

const csrParts = (m: CsrMatrix) => ({
  rows: m.rows,
  cols: m.cols,
  rowPtr: m.rowPtr,
  colIdx: m.colIdx,
  values: m.values,
});

export class CpuBackend implements Backend {
  readonly kind = 'cpu' as const;
  private readonly runners: Record<WeightPath, RpcClient<CpuPathApi>>;
  private lengths: Record<WeightPath, number> = { dense: 0, sparse: 0 };
  private readonly inline: boolean;
  /** Kernels whose fallback was said (each once per backend), and the notes not yet taken. */
  private readonly noted = new Set<string>();
  private unread: string[] = [];

  /** `reason` says why the app is on the CPU; `workerFactory` moves compute off the main thread. */
  constructor(
    readonly reason?: string,
    workerFactory?: WorkerFactory,
  ) {
    this.inline = !workerFactory;
    const make = (): RpcClient<CpuPathApi> =>
      workerFactory
        ? new WorkerRpc<CpuPathApi>(workerFactory(), 'CPU worker')
        : new InlineRpc<CpuPathApi>(new CpuPathRunner(), 'CPU worker');
    this.runners = { dense: make(), sparse: make() };
  }

  get description(): string {
    const threads = typeof navigator !== 'undefined' ? navigator.hardwareConcurrency : undefined;
    return `CPU (JavaScript${threads ? `, ${threads} threads` : ''})`;
  }

  async prepare(models: ModelPair, onProgress?: (fraction: number, what: string) => void): Promise<void> {
    onProgress?.(0, 'sending weights to the CPU workers');
    // Inline runners share this thread's WASM weight arena: reset it once for the new model.
    if (this.inline) releaseResident();
    await Promise.all([
      this.runners.dense.call('prepare', { weights: models.dense, path: 'dense' }),
      this.runners.sparse.call('prepare', { weights: models.sparse, path: 'sparse' }),
    ]);
    this.lengths = { dense: 0, sparse: 0 };
    onProgress?.(1, 'ready');
  }

  async forward(tokens: number[], options: BackendForwardOptions): Promise<ForwardResult> {
    const reply = await this.runners[options.path].call('forward', {
      tokens,
      append: options.append ?? false,
      activations: options.activations ?? true,
      logits: options.logits ?? 'all',
      repeats: options.repeats ? { ...options.repeats } : undefined,
    });
    this.lengths[options.path] = reply.cacheLength;
    this.note(reply.fallbacks);
    return reply.result;
  }

  /** Each path's worker gets its own copy of the network (one per core, as for a model pair). */
  async prepareDnn(model: DnnModel): Promise<void> {
    if (this.inline) releaseResident();
    const { dnn } = model;
    const parts = { layers: dnn.layers.map(csrParts), names: dnn.names, bias: dnn.bias, ymax: dnn.ymax };
    await Promise.all([
      this.runners.dense.call('prepareDnn', parts),
      this.runners.sparse.call('prepareDnn', parts),
    ]);
    this.lengths = { dense: 0, sparse: 0 };
  }

  async runDnn(images: CsrMatrix, path: WeightPath): Promise<DnnRun> {
    const { fallbacks, ...r } = await this.runners[path].call('runDnn', { input: csrParts(images), path });
    this.note(fallbacks);
    return { ...r, timings: dnnTimings(r.layerMs, path, 'wall', r.layerRepeats) };
  }

  takeFallbackNotes(): string[] {
    const taken = this.unread;
    this.unread = [];
    return taken;
  }

  private note(fallbacks: FallbackNote[] | undefined): void {
    for (const { kernel, text } of fallbacks ?? []) {
      if (this.noted.has(kernel)) continue;
      this.noted.add(kernel);
      this.unread.push(text);
    }
  }

  release(): void {
    // Fire and forget: a stopped or failed worker has nothing left to free.
    this.runners.dense.call('dispose', null).catch(() => {});
    this.runners.sparse.call('dispose', null).catch(() => {});
    this.lengths = { dense: 0, sparse: 0 };
  }

  cacheLength(path: WeightPath): number {
    return this.lengths[path];
  }

  dispose(): void {
    this.runners.dense.terminate();
    this.runners.sparse.terminate();
  }
}

/** The browser's worker factory (Vite bundles the worker module). */
export function browserCpuWorker(): Worker {
  return new Worker(new URL('./cpuWorker.ts', import.meta.url), { type: 'module', name: 'sparsescope-cpu' });
}
