// The page's side of circuit work in a Web Worker (src/ui/circuitWorker.ts): finding a circuit live, with
// progress and cancel, and scoring the circuit without one node (the "what does this node do" number).
// The worker gets each network's weights once (copies; the CSR the app keeps is not needed there).

import type { CircuitJson } from '../circuit/circuitJson';
import type { Ablation } from '../circuit/discover';
import type { Gpt2Weights } from '../model/weights';
import type { TaskName } from '../train/tasks';

export type CircuitSide = 'sparse' | 'dense';

export type CircuitRequest =
  | { type: 'model'; side: CircuitSide; weights: Gpt2Weights; model: string }
  | { type: 'find'; id: number; side: CircuitSide; task: TaskName; ablation: Ablation; seed: number }
  | { type: 'cancel'; id: number }
  | { type: 'effect'; id: number; side: CircuitSide; key: string; json: CircuitJson; index: number };

export type CircuitResponse =
  | { type: 'progress'; id: number; fraction: number; what: string }
  | { type: 'found'; id: number; json: CircuitJson }
  | { type: 'effect'; id: number; loss: number; without: number }
  | { type: 'error'; id: number; message: string; cancelled: boolean };

/** Weights without the CSR copies and classes: plain arrays a worker can receive. */
function plainWeights(w: Gpt2Weights): Gpt2Weights {
  const lin = (l: Gpt2Weights['blocks'][number]['qkv']) => ({ w: l.w, b: l.b, n: l.n, k: l.k });
  return {
    config: { ...w.config },
    wte: w.wte,
    wpe: w.wpe,
    blocks: w.blocks.map((b) => ({
      ln1: b.ln1,
      qkv: lin(b.qkv),
      attnProj: lin(b.attnProj),
      ln2: b.ln2,
      fc: lin(b.fc),
      fcProj: lin(b.fcProj),
    })),
    lnf: w.lnf,
  };
}

export class CircuitCancelledError extends Error {
  override name = 'CircuitCancelledError';
}

export class CircuitClient {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<
    number,
    {
      resolve: (r: CircuitResponse) => void;
      reject: (e: Error) => void;
      progress?: (f: number, what: string) => void;
    }
  >();
  private readonly sent = new Map<CircuitSide, Gpt2Weights>();
  private findId = 0;

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./circuitWorker.ts', import.meta.url), {
      type: 'module',
      name: 'sparsescope-circuit',
    });
    worker.onmessage = (event: MessageEvent<CircuitResponse>) => {
      const r = event.data;
      const p = this.pending.get(r.id);
      if (!p) return;
      if (r.type === 'progress') {
        p.progress?.(r.fraction, r.what);
        return;
      }
      this.pending.delete(r.id);
      if (r.type === 'error')
        p.reject(r.cancelled ? new CircuitCancelledError(r.message) : new Error(r.message));
      else p.resolve(r);
    };
    worker.onerror = (event) => {
      for (const p of this.pending.values()) p.reject(new Error(`circuit worker: ${event.message}`));
      this.pending.clear();
    };
    this.worker = worker;
    return worker;
  }

  private request(message: CircuitRequest & { id: number }, progress?: (f: number, what: string) => void) {
    const worker = this.ensure();
    return new Promise<CircuitResponse>((resolve, reject) => {
      this.pending.set(message.id, { resolve, reject, progress });
      worker.postMessage(message);
    });
  }

  /** Sends a network's weights unless the worker already has these. */
  setModel(side: CircuitSide, weights: Gpt2Weights, model: string): void {
    if (this.sent.get(side) === weights) return;
    this.sent.set(side, weights);
    this.ensure().postMessage({
      type: 'model',
      side,
      weights: plainWeights(weights),
      model,
    } satisfies CircuitRequest);
  }

  async find(
    side: CircuitSide,
    task: TaskName,
    ablation: Ablation,
    progress: (fraction: number, what: string) => void,
  ): Promise<CircuitJson> {
    const id = this.nextId++;
    this.findId = id;
    const r = await this.request({ type: 'find', id, side, task, ablation, seed: 1 }, progress);
    if (r.type !== 'found') throw new Error('circuit worker: unexpected answer');
    return r.json;
  }

  /** Stops the search in flight (it rejects with CircuitCancelledError). */
  cancel(): void {
    if (this.worker && this.pending.has(this.findId))
      this.worker.postMessage({ type: 'cancel', id: this.findId } satisfies CircuitRequest);
  }

  /** The circuit's loss, and its loss with flat node `index` also removed. */
  async effect(
    side: CircuitSide,
    key: string,
    json: CircuitJson,
    index: number,
  ): Promise<{ loss: number; without: number }> {
    const r = await this.request({ type: 'effect', id: this.nextId++, side, key, json, index });
    if (r.type !== 'effect') throw new Error('circuit worker: unexpected answer');
    return r;
  }

  dispose(): void {
    this.worker?.terminate();
    this.worker = null;
    this.sent.clear();
    for (const p of this.pending.values()) p.reject(new CircuitCancelledError('closed'));
    this.pending.clear();
  }
}
