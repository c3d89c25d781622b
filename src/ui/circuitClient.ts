// The page's side of circuit work in a Web Worker (src/ui/circuitWorker.ts, serving circuitRunner.ts over
// the worker RPC, src/engine/rpc.ts): finding a circuit live, with progress and cancel, and scoring the
// circuit without one node (the "what does this node do" number). The worker gets each network's weights
// once (copies; the CSR the app keeps is not needed there).

import type { CircuitJson } from '../circuit/circuitJson';
import type { Ablation } from '../circuit/discover';
import { type RpcClient, type RpcProgress, WorkerRpc } from '../engine/rpc';
import type { Gpt2Weights } from '../model/weights';
import type { TaskName } from '../train/tasks';
import type { CircuitApi, CircuitSide } from './circuitRunner';

export type { CircuitSide } from './circuitRunner';

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

function circuitWorker(): Worker {
  return new Worker(new URL('./circuitWorker.ts', import.meta.url), {
    type: 'module',
    name: 'sparsescope-circuit',
  });
}

export class CircuitClient {
  private rpc: RpcClient<CircuitApi> | null = null;
  private readonly sent = new Map<CircuitSide, Gpt2Weights>();
  private nextSearch = 1;
  /** The search in flight (0: none), and the one cancel() stopped. */
  private searching = 0;
  private cancelledSearch = 0;

  /** `makeRpc`: how to reach the runner (a worker by default; tests pass an InlineRpc). */
  constructor(
    private readonly makeRpc: () => RpcClient<CircuitApi> = () =>
      new WorkerRpc<CircuitApi>(circuitWorker(), 'circuit worker'),
  ) {}

  private ensure(): RpcClient<CircuitApi> {
    this.rpc ??= this.makeRpc();
    return this.rpc;
  }

  /** Sends a network's weights unless the worker already has these. */
  setModel(side: CircuitSide, weights: Gpt2Weights, model: string): void {
    if (this.sent.get(side) === weights) return;
    this.sent.set(side, weights);
    // A failure here (the worker died) fails the next find/effect with the same message.
    this.ensure()
      .call('model', { side, weights: plainWeights(weights), model })
      .catch(() => this.sent.delete(side));
  }

  async find(
    side: CircuitSide,
    task: TaskName,
    ablation: Ablation,
    progress: RpcProgress,
  ): Promise<CircuitJson> {
    const rpc = this.ensure();
    const search = this.nextSearch++;
    this.searching = search;
    try {
      return await rpc.call('find', { search, side, task, ablation, seed: 1 }, { onProgress: progress });
    } catch (err) {
      if (this.cancelledSearch === search || this.rpc !== rpc)
        throw new CircuitCancelledError(err instanceof Error ? err.message : String(err));
      throw err;
    } finally {
      if (this.searching === search) this.searching = 0;
    }
  }

  /** Stops the search in flight (it rejects with CircuitCancelledError). */
  cancel(): void {
    if (!this.rpc || !this.searching) return;
    this.cancelledSearch = this.searching;
    this.rpc.call('cancel', { search: this.searching }).catch(() => {});
  }

  /** The circuit's loss, and its loss with flat node `index` also removed. */
  async effect(
    side: CircuitSide,
    key: string,
    json: CircuitJson,
    index: number,
  ): Promise<{ loss: number; without: number }> {
    const rpc = this.ensure();
    try {
      return await rpc.call('effect', { side, key, json, index });
    } catch (err) {
      if (this.rpc !== rpc) throw new CircuitCancelledError('closed');
      throw err;
    }
  }

  /** Stops the worker; calls in flight reject with CircuitCancelledError. */
  dispose(): void {
    const rpc = this.rpc;
    this.rpc = null;
    this.sent.clear();
    rpc?.terminate();
  }
}
