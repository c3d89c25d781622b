// The worker RPC (rpc.ts) over Node worker_threads: a Worker seen as the WorkerLike the client drives, and
// a thread's parentPort seen as the WorkerScopeLike serveRpc answers on. Node delivers the message itself
// (not an event with `data`), names failures by events, and reports a thread's end as 'exit': every one
// of these fails the pending calls as a browser worker's error does.
import type { MessagePort, Worker } from 'node:worker_threads';
import type { WorkerLike, WorkerScopeLike } from './rpc';

// The transfer lists hold ArrayBuffers; DOM and Node type them apart, hence the `as never` casts.

/** A worker thread as a WorkerLike; `exited` settles once terminate() has stopped it. */
export class NodeWorkerLike implements WorkerLike {
  onmessage: ((event: MessageEvent) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  onmessageerror: ((event: MessageEvent) => void) | null = null;
  exited: Promise<unknown> = Promise.resolve();

  constructor(private readonly worker: Worker) {
    worker.on('message', (data) => this.onmessage?.({ data } as MessageEvent));
    worker.on('messageerror', (data) => this.onmessageerror?.({ data } as MessageEvent));
    worker.on('error', (err: Error) => this.onerror?.({ message: err.message } as ErrorEvent));
    worker.on('exit', (code) =>
      this.onerror?.({ message: `the thread exited (code ${code})` } as ErrorEvent),
    );
  }

  postMessage(message: unknown, transfer: Transferable[]): void {
    this.worker.postMessage(message, transfer as never);
  }

  terminate(): void {
    this.exited = this.worker.terminate();
  }
}

/** A thread's parentPort as the scope serveRpc answers on. */
export function portScope(port: MessagePort): WorkerScopeLike {
  let handler: ((event: MessageEvent) => void) | null = null;
  port.on('message', (data) => handler?.({ data } as MessageEvent));
  return {
    postMessage: (message, transfer) => port.postMessage(message, transfer as never),
    get onmessage() {
      return handler;
    },
    set onmessage(h) {
      handler = h;
    },
  };
}
