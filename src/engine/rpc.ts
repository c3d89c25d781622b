// One typed request/reply protocol for every worker (the CPU backend's path workers, the layered-network
// loader, the circuit worker, and the CLI's DNN threads through nodeRpc.ts). An API is an object of methods `(arg, progress) => result`; the client calls them by name.
// Wire format, one message each way per call (plus any number of progress messages before the reply):
//   request  { id, method, arg }
//   reply    { id, type: 'progress', fraction, what } | { id, type: 'result', value } | { id, type: 'error', error }
// Replies hand over the buffers `transfer(method, value)` names instead of copying them. A worker that
// fails to start, throws, sends an unreadable message or is terminated fails every pending call at once,
// and every later call, so no caller ever waits forever.

export type RpcProgress = (fraction: number, what: string) => void;

/** Methods a worker serves: one argument (structured-cloneable) and an optional progress callback. */
// biome-ignore lint/suspicious/noExplicitAny: method arguments differ per API; `call` recovers each exactly
export type RpcApi = { [method: string]: (arg: any, progress: RpcProgress) => unknown };

type Arg<A extends RpcApi, M extends keyof A> = Parameters<A[M]>[0];
type Result<A extends RpcApi, M extends keyof A> = Awaited<ReturnType<A[M]>>;

interface RpcRequest {
  id: number;
  method: string;
  arg: unknown;
}

export type RpcReply =
  | { id: number; type: 'progress'; fraction: number; what: string }
  | { id: number; type: 'result'; value: unknown }
  | { id: number; type: 'error'; error: string };

export interface CallOptions {
  /** Buffers in the argument to hand over rather than copy (they are unusable here afterwards). */
  transfer?: Transferable[];
  onProgress?: RpcProgress;
}

/** What a caller holds: the same interface whether the API runs in a worker or inline. */
export interface RpcClient<A extends RpcApi> {
  call<M extends keyof A & string>(method: M, arg: Arg<A, M>, options?: CallOptions): Promise<Result<A, M>>;
  terminate(): void;
}

/** The part of a Worker the client uses (a fake one in tests). */
export interface WorkerLike {
  postMessage(message: unknown, transfer: Transferable[]): void;
  terminate(): void;
  onmessage: ((event: MessageEvent) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
  onmessageerror: ((event: MessageEvent) => void) | null;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  onProgress?: RpcProgress;
}

/** Calls an API served in a Worker (`serveRpc` on the other side). `name` heads every failure message. */
export class WorkerRpc<A extends RpcApi> implements RpcClient<A> {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** Once set, every pending and later call fails with this message. */
  private failed: string | null = null;

  constructor(
    private readonly worker: WorkerLike,
    private readonly name: string,
  ) {
    worker.onmessage = (event: MessageEvent<RpcReply>) => this.receive(event.data);
    worker.onerror = (event) => this.fail(`${name} failed: ${event.message || 'it could not start'}`);
    worker.onmessageerror = () => this.fail(`${name} sent a message that could not be read`);
  }

  private receive(reply: RpcReply): void {
    const waiting = this.pending.get(reply.id);
    if (!waiting) return;
    if (reply.type === 'progress') {
      waiting.onProgress?.(reply.fraction, reply.what);
      return;
    }
    this.pending.delete(reply.id);
    if (reply.type === 'result') waiting.resolve(reply.value);
    else waiting.reject(new Error(reply.error));
  }

  private fail(message: string): void {
    this.failed ??= message;
    for (const waiting of this.pending.values()) waiting.reject(new Error(message));
    this.pending.clear();
  }

  call<M extends keyof A & string>(
    method: M,
    arg: Arg<A, M>,
    options: CallOptions = {},
  ): Promise<Result<A, M>> {
    if (this.failed) return Promise.reject(new Error(this.failed));
    const id = this.nextId++;
    return new Promise<Result<A, M>>((resolve, reject) => {
      this.pending.set(id, {
        resolve: resolve as (v: unknown) => void,
        reject,
        onProgress: options.onProgress,
      });
      try {
        const request: RpcRequest = { id, method, arg };
        this.worker.postMessage(request, options.transfer ?? []);
      } catch (err) {
        // An argument that cannot be cloned: this call fails, the worker stays usable.
        this.pending.delete(id);
        reject(new Error(`${this.name}: ${errorText(err)}`));
      }
    });
  }

  terminate(): void {
    this.worker.terminate();
    this.fail(`${this.name} stopped`);
  }
}

/** Calls the same API in this thread (Node: CLI and tests), with the same error and stop behaviour. */
export class InlineRpc<A extends RpcApi> implements RpcClient<A> {
  private stopped = false;

  constructor(
    private readonly api: A,
    private readonly name: string,
  ) {}

  async call<M extends keyof A & string>(
    method: M,
    arg: Arg<A, M>,
    options: CallOptions = {},
  ): Promise<Result<A, M>> {
    if (this.stopped) throw new Error(`${this.name} stopped`);
    const progress = options.onProgress ?? (() => {});
    return (await this.api[method](arg, progress)) as Result<A, M>;
  }

  terminate(): void {
    this.stopped = true;
  }
}

/** The part of a worker's global scope the server uses. */
export interface WorkerScopeLike {
  postMessage(message: unknown, transfer: Transferable[]): void;
  onmessage: ((event: MessageEvent) => void) | null;
}

/**
 * Serve `api` to the page: each request runs to its reply (errors become error replies, never an
 * unhandled rejection), progress is forwarded, and `transfer` names the result's buffers to hand over.
 */
export function serveRpc<A extends RpcApi>(
  scope: WorkerScopeLike,
  api: A,
  transfer: (method: string, value: unknown) => Transferable[] = () => [],
): void {
  scope.onmessage = async (event: MessageEvent<RpcRequest>) => {
    const { id, method, arg } = event.data;
    const post = (reply: RpcReply, buffers: Transferable[] = []) => scope.postMessage(reply, buffers);
    try {
      const handler = api[method];
      if (typeof handler !== 'function') throw new Error(`no method "${method}"`);
      const value = await handler.call(api, arg, (fraction, what) =>
        post({ id, type: 'progress', fraction, what }),
      );
      post({ id, type: 'result', value }, transfer(method, value));
    } catch (err) {
      post({ id, type: 'error', error: errorText(err) });
    }
  };
}
