// The worker RPC (src/engine/rpc.ts) against a fake Worker: the client and serveRpc talk through
// structured clones delivered in later tasks, as a real worker's messages are; the fake can also fail
// (an 'error' or 'messageerror' event) or be terminated, and then no call may hang.
import { describe, expect, it } from 'vitest';
import {
  InlineRpc,
  type RpcProgress,
  serveRpc,
  type WorkerLike,
  WorkerRpc,
  type WorkerScopeLike,
} from '../../src/engine/rpc';

type TestApi = {
  add(arg: { a: number; b: number }): number;
  slow(arg: { steps: number }, progress: RpcProgress): Promise<string>;
  fail(arg: null): void;
  buffer(arg: { length: number }): Float32Array;
  never(arg: null): Promise<void>;
};

/** A class-based API, as the real runners are: methods read and write `this`. */
class Counter {
  private count = 0;
  bump(by: number): number {
    this.count += by;
    return this.count;
  }
}
type CounterApi = { bump(by: number): number };

const api: TestApi = {
  add: ({ a, b }) => a + b,
  async slow({ steps }, progress) {
    for (let i = 0; i < steps; i++) {
      progress(i / steps, `step ${i + 1}`);
      await new Promise((r) => setTimeout(r, 1));
    }
    return 'done';
  },
  fail: () => {
    throw new Error('bad input: no network loaded');
  },
  buffer: ({ length }) => new Float32Array(length).fill(7),
  never: () => new Promise<void>(() => {}),
};

const later = (fn: () => void) => setTimeout(fn, 0);

/** A Worker whose other end runs serveRpc(api) in this thread. */
class FakeWorker implements WorkerLike {
  onmessage: ((event: MessageEvent) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  onmessageerror: ((event: MessageEvent) => void) | null = null;
  terminated = false;
  transferred: Transferable[] = [];
  private readonly scope: WorkerScopeLike;

  constructor(served: object = api) {
    const scope: WorkerScopeLike = {
      onmessage: null,
      postMessage: (message, transfer) => {
        this.transferred.push(...transfer);
        const copy = structuredClone(message, { transfer });
        later(() => !this.terminated && this.onmessage?.({ data: copy } as MessageEvent));
      },
    };
    this.scope = scope;
    serveRpc(scope, served as TestApi, (method, value) =>
      method === 'buffer' ? [(value as Float32Array).buffer] : [],
    );
  }

  postMessage(message: unknown, transfer: Transferable[]): void {
    const copy = structuredClone(message, { transfer });
    later(() => !this.terminated && this.scope.onmessage?.({ data: copy } as MessageEvent));
  }

  terminate(): void {
    this.terminated = true;
  }

  crash(message: string): void {
    this.onerror?.({ message } as ErrorEvent);
  }

  garble(): void {
    this.onmessageerror?.({} as MessageEvent);
  }
}

describe('WorkerRpc + serveRpc', () => {
  it('matches replies to calls by id, even when they finish out of order', async () => {
    const rpc = new WorkerRpc<TestApi>(new FakeWorker(), 'test worker');
    const slow = rpc.call('slow', { steps: 3 });
    const sum = rpc.call('add', { a: 2, b: 3 });
    expect(await sum).toBe(5);
    expect(await slow).toBe('done');
  });

  it('delivers progress before the reply, to the call that asked', async () => {
    const rpc = new WorkerRpc<TestApi>(new FakeWorker(), 'test worker');
    const seen: string[] = [];
    const other: string[] = [];
    const a = rpc.call(
      'slow',
      { steps: 3 },
      { onProgress: (f, what) => seen.push(`${f.toFixed(2)} ${what}`) },
    );
    const b = rpc.call('slow', { steps: 1 }, { onProgress: (_, what) => other.push(what) });
    await Promise.all([a, b]);
    expect(seen).toEqual(['0.00 step 1', '0.33 step 2', '0.67 step 3']);
    expect(other).toEqual(['step 1']);
  });

  it("rejects with the worker's message when a call throws there, and keeps serving", async () => {
    const rpc = new WorkerRpc<TestApi>(new FakeWorker(), 'test worker');
    await expect(rpc.call('fail', null)).rejects.toThrow('bad input: no network loaded');
    expect(await rpc.call('add', { a: 1, b: 1 })).toBe(2);
  });

  it('hands the named result buffers over instead of copying them', async () => {
    const worker = new FakeWorker();
    const rpc = new WorkerRpc<TestApi>(worker, 'test worker');
    const out = await rpc.call('buffer', { length: 4 });
    expect(Array.from(out)).toEqual([7, 7, 7, 7]);
    expect(worker.transferred).toHaveLength(1);
    expect((worker.transferred[0] as ArrayBuffer).byteLength).toBe(0); // detached on the worker's side
  });

  it('hands request buffers over when asked', async () => {
    const rpc = new WorkerRpc<TestApi>(new FakeWorker(), 'test worker');
    const data = new Float32Array(8);
    await rpc.call('add', { a: 1, b: 2 }, { transfer: [data.buffer] });
    expect(data.byteLength).toBe(0);
  });

  it('fails every pending call, and every later one, when the worker reports an error', async () => {
    const worker = new FakeWorker();
    const rpc = new WorkerRpc<TestApi>(worker, 'test worker');
    const pending = [rpc.call('never', null), rpc.call('never', null)];
    worker.crash('out of memory');
    for (const p of pending) await expect(p).rejects.toThrow('test worker failed: out of memory');
    await expect(rpc.call('add', { a: 1, b: 1 })).rejects.toThrow('test worker failed: out of memory');
  });

  it('says the worker could not start when its error has no message', async () => {
    const worker = new FakeWorker();
    const rpc = new WorkerRpc<TestApi>(worker, 'test worker');
    const pending = rpc.call('never', null);
    worker.crash('');
    await expect(pending).rejects.toThrow('test worker failed: it could not start');
  });

  it('fails every pending call on a message that cannot be read', async () => {
    const worker = new FakeWorker();
    const rpc = new WorkerRpc<TestApi>(worker, 'test worker');
    const pending = rpc.call('never', null);
    worker.garble();
    await expect(pending).rejects.toThrow('test worker sent a message that could not be read');
    await expect(rpc.call('add', { a: 1, b: 1 })).rejects.toThrow(/could not be read/);
  });

  it('fails pending and later calls once terminated, and stops the worker', async () => {
    const worker = new FakeWorker();
    const rpc = new WorkerRpc<TestApi>(worker, 'test worker');
    const pending = rpc.call('never', null);
    rpc.terminate();
    expect(worker.terminated).toBe(true);
    await expect(pending).rejects.toThrow('test worker stopped');
    await expect(rpc.call('add', { a: 1, b: 1 })).rejects.toThrow('test worker stopped');
  });

  it('fails only the call whose argument cannot be cloned', async () => {
    const rpc = new WorkerRpc<TestApi>(new FakeWorker(), 'test worker');
    const bad = { a: 1, b: 2, f: () => 0 } as unknown as { a: number; b: number };
    await expect(rpc.call('add', bad)).rejects.toThrow(/^test worker: /);
    expect(await rpc.call('add', { a: 1, b: 2 })).toBe(3);
  });

  it('calls the methods of a class instance on that instance (its state persists between calls)', async () => {
    const rpc = new WorkerRpc<CounterApi>(new FakeWorker(new Counter()), 'test worker');
    expect(await rpc.call('bump', 2)).toBe(2);
    expect(await rpc.call('bump', 3)).toBe(5);
  });

  it('answers an unknown method with an error reply', async () => {
    const rpc = new WorkerRpc<TestApi & { missing(arg: null): void }>(new FakeWorker(), 'test worker');
    await expect(rpc.call('missing', null)).rejects.toThrow('no method "missing"');
  });
});

describe('InlineRpc', () => {
  it('calls the same API in this thread, with progress, errors and stop', async () => {
    const rpc = new InlineRpc<TestApi>(api, 'inline');
    expect(await rpc.call('add', { a: 4, b: 5 })).toBe(9);
    const seen: string[] = [];
    await rpc.call('slow', { steps: 2 }, { onProgress: (_, what) => seen.push(what) });
    expect(seen).toEqual(['step 1', 'step 2']);
    await expect(rpc.call('fail', null)).rejects.toThrow('bad input');
    rpc.terminate();
    await expect(rpc.call('add', { a: 1, b: 1 })).rejects.toThrow('inline stopped');
  });
});
