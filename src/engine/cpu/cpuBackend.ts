// The CPU backend: the same forward pass as the oracle (src/math/transformer.ts), one runner per path.
// In the browser each runner is a Web Worker (the page stays responsive, and the two paths use two cores);
// in Node (CLI, tests) the runners are called inline.
import type { ForwardResult, WeightPath } from '../../contracts';
import { releaseResident } from '../../math/wasm/heap';
import type { Backend, BackendForwardOptions, ModelPair } from '../backend';
import { CpuPathRunner, type CpuRequest, type CpuResponse } from './protocol';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type RequestBody = DistributiveOmit<CpuRequest, 'id'>;

interface Runner {
  call(request: RequestBody): Promise<CpuResponse>;
  terminate(): void;
}

class InlineRunner implements Runner {
  private readonly runner = new CpuPathRunner();
  private nextId = 1;
  async call(request: RequestBody): Promise<CpuResponse> {
    return this.runner.handle({ ...request, id: this.nextId++ } as CpuRequest);
  }
  terminate(): void {}
}

class WorkerRunner implements Runner {
  private readonly pending = new Map<number, (r: CpuResponse) => void>();
  private nextId = 1;
  /** Once the worker died or was terminated, every call answers with this at once (none hangs). */
  private failed: string | null = null;

  constructor(private readonly worker: Worker) {
    worker.onmessage = (event: MessageEvent<CpuResponse>) => {
      this.pending.get(event.data.id)?.(event.data);
      this.pending.delete(event.data.id);
    };
    worker.onerror = (event) => this.fail(`CPU worker failed: ${event.message || 'it could not start'}`);
    worker.onmessageerror = () => this.fail('CPU worker sent a message that could not be read');
  }

  private fail(error: string): void {
    this.failed = error;
    for (const [id, resolve] of this.pending) resolve({ id, ok: false, error });
    this.pending.clear();
  }

  call(request: RequestBody): Promise<CpuResponse> {
    const id = this.nextId++;
    if (this.failed) return Promise.resolve({ id, ok: false, error: this.failed });
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.worker.postMessage({ ...request, id });
    });
  }

  terminate(): void {
    this.worker.terminate();
    this.fail('CPU worker stopped');
  }
}

export type WorkerFactory = () => Worker;

export class CpuBackend implements Backend {
  readonly kind = 'cpu' as const;
  private readonly runners: Record<WeightPath, Runner>;
  private lengths: Record<WeightPath, number> = { dense: 0, sparse: 0 };
  private readonly inline: boolean;

  /** `reason` says why the app is on the CPU; `workerFactory` moves compute off the main thread. */
  constructor(
    readonly reason?: string,
    workerFactory?: WorkerFactory,
  ) {
    this.inline = !workerFactory;
    const make = (): Runner => (workerFactory ? new WorkerRunner(workerFactory()) : new InlineRunner());
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
    const replies = await Promise.all([
      this.runners.dense.call({ type: 'prepare', weights: models.dense, path: 'dense' }),
      this.runners.sparse.call({ type: 'prepare', weights: models.sparse, path: 'sparse' }),
    ]);
    for (const r of replies) if (!r.ok) throw new Error(r.error);
    this.lengths = { dense: 0, sparse: 0 };
    onProgress?.(1, 'ready');
  }

  async forward(tokens: number[], options: BackendForwardOptions): Promise<ForwardResult> {
    const reply = await this.runners[options.path].call({
      type: 'forward',
      tokens,
      append: options.append ?? false,
      activations: options.activations ?? true,
      logits: options.logits ?? 'all',
      repeats: options.repeats ? { ...options.repeats } : undefined,
    });
    if (!reply.ok) throw new Error(reply.error);
    this.lengths[options.path] = reply.cacheLength;
    if (!reply.result) throw new Error('CPU backend: forward returned no result');
    return reply.result;
  }

  release(): void {
    void this.runners.dense.call({ type: 'dispose' });
    void this.runners.sparse.call({ type: 'dispose' });
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
