// Web Worker entry for circuit work (protocol in circuitClient.ts): discovery with progress and cancel,
// and one-node-removed scores. Yields to its message queue between discovery steps so a cancel arrives.
import { circuitToJson, readCircuitJson } from '../circuit/circuitJson';
import { CircuitCancelled, discoverCircuit } from '../circuit/discover';
import { CircuitEvaluator } from '../circuit/reevaluate';
import type { Gpt2Weights } from '../model/weights';
import type { CircuitRequest, CircuitResponse, CircuitSide } from './circuitClient';

const models = new Map<CircuitSide, { weights: Gpt2Weights; model: string }>();
const cancelled = new Set<number>();
const evaluators = new Map<string, CircuitEvaluator>();
const post = (message: CircuitResponse) => (self as unknown as Worker).postMessage(message);

/** A macrotask yield without timer clamping. */
const channel = new MessageChannel();
const yieldToQueue = () =>
  new Promise<void>((resolve) => {
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });

function modelFor(side: CircuitSide) {
  const m = models.get(side);
  if (!m) throw new Error(`no ${side} model loaded in the circuit worker`);
  return m;
}

async function handle(req: CircuitRequest): Promise<void> {
  if (req.type === 'model') {
    models.set(req.side, { weights: req.weights, model: req.model });
    for (const key of [...evaluators.keys()]) if (key.startsWith(`${req.side}:`)) evaluators.delete(key);
    return;
  }
  if (req.type === 'cancel') {
    cancelled.add(req.id);
    return;
  }
  try {
    if (req.type === 'find') {
      const { weights, model } = modelFor(req.side);
      const finding = await discoverCircuit(weights, {
        task: req.task,
        ablation: req.ablation,
        seed: req.seed,
        onProgress: (fraction, what) => post({ type: 'progress', id: req.id, fraction, what }),
        tick: yieldToQueue,
        cancelled: () => cancelled.has(req.id),
      });
      post({ type: 'found', id: req.id, json: circuitToJson(weights, finding, model) });
    } else {
      const { weights } = modelFor(req.side);
      const key = `${req.side}:${req.key}`;
      let evaluator = evaluators.get(key);
      if (!evaluator) {
        evaluator = new CircuitEvaluator(weights, readCircuitJson(JSON.stringify(req.json), weights.config));
        evaluators.set(key, evaluator);
      }
      post({
        type: 'effect',
        id: req.id,
        loss: evaluator.score().loss,
        without: evaluator.without(req.index).loss,
      });
    }
  } catch (err) {
    const isCancel = err instanceof CircuitCancelled;
    post({
      type: 'error',
      id: req.id,
      message: err instanceof Error ? err.message : String(err),
      cancelled: isCancel,
    });
  } finally {
    cancelled.delete(req.id);
  }
}

self.onmessage = (event: MessageEvent<CircuitRequest>) => void handle(event.data);
