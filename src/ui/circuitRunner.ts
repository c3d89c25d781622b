// Circuit work served by the circuit worker (src/ui/circuitWorker.ts) over the shared worker RPC
// (src/engine/rpc.ts): finding a circuit with progress and cancel, and scoring the circuit without one node.
// Discovery yields to the message queue between steps, so a `cancel` request is served while it runs.

import { type CircuitJson, circuitToJson, readCircuitJson } from '../circuit/circuitJson';
import { type Ablation, discoverCircuit } from '../circuit/discover';
import { CircuitEvaluator } from '../circuit/reevaluate';
import type { RpcProgress } from '../engine/rpc';
import type { Gpt2Weights } from '../model/weights';
import type { TaskName } from '../train/tasks';
import { nextTask } from './nextTask';

export type CircuitSide = 'sparse' | 'dense';

export interface FindRequest {
  /** The caller's number for this search; `cancel` names it. */
  search: number;
  side: CircuitSide;
  task: TaskName;
  ablation: Ablation;
  seed: number;
}

export interface EffectRequest {
  side: CircuitSide;
  key: string;
  json: CircuitJson;
  index: number;
}

export type CircuitApi = {
  model(arg: { side: CircuitSide; weights: Gpt2Weights; model: string }): void;
  find(arg: FindRequest, progress: RpcProgress): Promise<CircuitJson>;
  cancel(arg: { search: number }): void;
  effect(arg: EffectRequest): { loss: number; without: number };
};

export class CircuitRunner implements CircuitApi {
  private readonly models = new Map<CircuitSide, { weights: Gpt2Weights; model: string }>();
  private readonly cancelled = new Set<number>();
  private readonly evaluators = new Map<string, CircuitEvaluator>();

  private modelFor(side: CircuitSide) {
    const m = this.models.get(side);
    if (!m) throw new Error(`no ${side} model loaded in the circuit worker`);
    return m;
  }

  model({ side, weights, model }: { side: CircuitSide; weights: Gpt2Weights; model: string }): void {
    this.models.set(side, { weights, model });
    for (const key of [...this.evaluators.keys()])
      if (key.startsWith(`${side}:`)) this.evaluators.delete(key);
  }

  async find(req: FindRequest, progress: RpcProgress): Promise<CircuitJson> {
    try {
      const { weights, model } = this.modelFor(req.side);
      const finding = await discoverCircuit(weights, {
        task: req.task,
        ablation: req.ablation,
        seed: req.seed,
        onProgress: progress,
        tick: nextTask, // a new task between steps: a cancel message gets in
        cancelled: () => this.cancelled.has(req.search),
      });
      return circuitToJson(weights, finding, model);
    } finally {
      this.cancelled.delete(req.search);
    }
  }

  cancel({ search }: { search: number }): void {
    this.cancelled.add(search);
  }

  effect(req: EffectRequest): { loss: number; without: number } {
    const { weights } = this.modelFor(req.side);
    const key = `${req.side}:${req.key}`;
    let evaluator = this.evaluators.get(key);
    if (!evaluator) {
      evaluator = new CircuitEvaluator(weights, readCircuitJson(JSON.stringify(req.json), weights.config));
      this.evaluators.set(key, evaluator);
    }
    return { loss: evaluator.score().loss, without: evaluator.without(req.index).loss };
  }
}
