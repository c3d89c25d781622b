// Scores a node set on a fixed list of task batches: the task loss (mean −log p(answer) at the answer
// positions, nats) and accuracy (argmax over the whole vocabulary = answer), the node means over every
// prompt position, and the loss gradient with respect to the gates on one batch.

import type { Gpt2Weights } from '../model/weights';
import { softmaxCrossEntropy } from '../train/crossEntropy';
import { nodeLayout } from './locations';
import { MaskedWorkspace } from './maskedForward';
import type { TaskBatch } from './taskData';

export interface CircuitScore {
  /** Mean −log p(answer), nats. */
  loss: number;
  /** Fraction of examples whose argmax over the vocabulary is the answer. */
  accuracy: number;
  n: number;
}

export class CircuitScorer {
  private readonly ws: MaskedWorkspace;

  constructor(
    readonly weights: Gpt2Weights,
    readonly batches: readonly TaskBatch[],
  ) {
    const maxBatch = Math.max(1, ...batches.map((b) => b.batch));
    const maxT = Math.max(1, ...batches.map((b) => b.T));
    this.ws = new MaskedWorkspace(weights, maxBatch, maxT);
  }

  get nodeCount(): number {
    return nodeLayout(this.weights.config).total;
  }

  /** Mean of every node over every prompt position of every batch, in the full model. */
  means(): Float32Array {
    const n = this.nodeCount;
    const sums = new Float64Array(n);
    const ones = new Float32Array(n).fill(1);
    const zeros = new Float32Array(n);
    let rows = 0;
    this.batches.forEach((b) => {
      const { ws } = this;
      ws.forward(b.tokens, b.answerRows, ones, zeros);
      for (let r = 0; r < b.batch; r++) rows += b.lengths[r];
      ws.forEachRawRow(b.lengths, (offset, values, start, width) => {
        for (let c = 0; c < width; c++) sums[offset + c] += values[start + c];
      });
    });
    return Float32Array.from(sums, (s) => s / rows);
  }

  /** Loss and accuracy over every batch; `control` scores the shuffled answers instead. */
  score(gates: ArrayLike<number>, means: ArrayLike<number>, control = false): CircuitScore {
    let loss = 0;
    let right = 0;
    let n = 0;
    for (const b of this.batches) {
      const logits = this.ws.forward(b.tokens, b.answerRows, gates, means);
      const V = this.weights.config.vocabSize;
      const answers = control ? b.controlAnswers : b.answers;
      for (let r = 0; r < b.batch; r++) {
        let max = Number.NEGATIVE_INFINITY;
        let best = 0;
        for (let v = 0; v < V; v++) {
          if (logits[r * V + v] > max) {
            max = logits[r * V + v];
            best = v;
          }
        }
        let sum = 0;
        for (let v = 0; v < V; v++) sum += Math.exp(logits[r * V + v] - max);
        loss += max + Math.log(sum) - logits[r * V + answers[r]];
        if (best === answers[r]) right++;
        n++;
      }
    }
    return { loss: loss / n, accuracy: right / n, n };
  }

  /** Task loss of batch `index` and its gradient ADDED into dGates. */
  lossAndGrad(
    index: number,
    gates: ArrayLike<number>,
    means: ArrayLike<number>,
    control: boolean,
    dGates: Float64Array,
  ): number {
    const b = this.batches[index];
    const { ws } = this;
    const logits = ws.forward(b.tokens, b.answerRows, gates, means);
    const V = this.weights.config.vocabSize;
    const { loss } = softmaxCrossEntropy(logits, control ? b.controlAnswers : b.answers, b.batch, V, logits);
    ws.backward(logits, gates, means, dGates);
    return loss;
  }
}
