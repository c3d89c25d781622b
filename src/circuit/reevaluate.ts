// Scores a circuit read from its file: the loss and accuracy of the listed nodes (and of the circuit with
// one node removed, the app's "what does this node do") on the held-out examples the file names.

import type { Gpt2Weights } from '../model/weights';
import type { LoadedCircuit } from './circuitJson';
import { type CircuitScore, CircuitScorer } from './scorer';
import { evaluationExamples, makeBatches } from './taskData';

export class CircuitEvaluator {
  private readonly scorer: CircuitScorer;
  /** The circuit's own score: computed once (a full masked forward), asked for on every node's click. */
  private own: CircuitScore | null = null;

  constructor(
    readonly weights: Gpt2Weights,
    readonly circuit: LoadedCircuit,
  ) {
    const { task, details } = circuit.json;
    const examples = details?.evaluation?.examples ?? 200;
    this.scorer = new CircuitScorer(weights, makeBatches(evaluationExamples(task, examples), 32, 1));
  }

  score(): CircuitScore {
    this.own ??= this.scorer.score(this.circuit.keep, this.circuit.means);
    return this.own;
  }

  /** The circuit's score with node `index` (flat order) ablated too. */
  without(index: number): CircuitScore {
    const keep = this.circuit.keep.slice();
    keep[index] = 0;
    return this.scorer.score(keep, this.circuit.means);
  }
}
