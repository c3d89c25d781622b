// Per-task accuracy at the answer positions. An example is right when the argmax of the next-character
// distribution after its prompt is the answer ("argmax" accuracy, over the whole vocabulary); the
// "binary" accuracy only compares the task's two candidates. Examples are run in batches through the
// training forward (forwardCpu's arithmetic; equal to it within 1e-5), each padded with newlines to the batch's longest
// snippet; padding comes after the answer, so causality keeps it from changing the answer's logits.

import type { WeightPath } from '../contracts';
import { forwardCpu } from '../math/transformer';
import { charTokenizer } from '../model/tokenizer';
import type { Gpt2Weights } from '../model/weights';
import { forwardTape, TrainWorkspace } from './gpt2Train';
import { TASKS, type TaskExample, type TaskName, VOCAB } from './tasks';

export interface TaskScore {
  task: TaskName;
  n: number;
  /** Fraction with argmax over the vocabulary = answer. */
  accuracy: number;
  /** Fraction where the answer outscores the other candidate. */
  binaryAccuracy: number;
  /** Mean −log p(answer) in nats. */
  answerLoss: number;
}

/** The answer position's logits row for one example, as a plain copy (vocab). */
export type LogitsRow = Float32Array;

const tokenizer = charTokenizer(VOCAB);

/** Logits (vocab) predicting each example's answer, in order. */
export function answerLogits(
  weights: Gpt2Weights,
  examples: readonly TaskExample[],
  batch = 32,
): LogitsRow[] {
  const V = weights.config.vocabSize;
  const out: LogitsRow[] = [];
  for (let start = 0; start < examples.length; start += batch) {
    const group = examples.slice(start, start + batch);
    const T = Math.max(...group.map((e) => e.answerIndex));
    const ws = new TrainWorkspace(weights, group.length, T);
    const tokens = new Int32Array(group.length * T).fill(tokenizer.encode('\n')[0]);
    group.forEach((e, b) => {
      tokens.set(tokenizer.encode(e.prompt), b * T);
    });
    const logits = forwardTape(ws, tokens);
    group.forEach((e, b) => {
      const row = b * T + e.answerIndex - 1;
      out.push(logits.slice(row * V, (row + 1) * V));
    });
  }
  return out;
}

/**
 * The same rows through the app's inference oracle, one prompt at a time: forwardCpu on the dense path,
 * or on the CSR path ('sparse', which needs a sparsifyModel'd twin). Slower; used to pin the documented
 * numbers to what the app computes.
 */
export function answerLogitsCpu(
  weights: Gpt2Weights,
  examples: readonly TaskExample[],
  path: WeightPath = 'dense',
): LogitsRow[] {
  const V = weights.config.vocabSize;
  return examples.map((e) => {
    const { logits } = forwardCpu(weights, tokenizer.encode(e.prompt), { path, collectActivations: false });
    return logits.slice(logits.length - V);
  });
}

/** Scores of one example's logits row. */
function scoreRow(row: ArrayLike<number>, example: TaskExample) {
  const id = (c: string) => tokenizer.encode(c)[0];
  const answer = id(example.answer);
  const info = TASKS.find((t) => t.name === example.task);
  if (!info) throw new Error(`unknown task ${example.task}`);
  const other = id(info.candidates[0] === example.answer ? info.candidates[1] : info.candidates[0]);
  let best = 0;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < row.length; i++) {
    if (row[i] > max) {
      max = row[i];
      best = i;
    }
  }
  let sum = 0;
  for (let i = 0; i < row.length; i++) sum += Math.exp(row[i] - max);
  return {
    argmaxRight: best === answer,
    binaryRight: row[answer] > row[other],
    loss: max + Math.log(sum) - row[answer],
  };
}

/** Per-task scores, in TASKS order (tasks without examples are left out). */
export function scoreTasks(
  rows: readonly ArrayLike<number>[],
  examples: readonly TaskExample[],
): TaskScore[] {
  const scores: TaskScore[] = [];
  for (const info of TASKS) {
    let n = 0;
    let right = 0;
    let binary = 0;
    let loss = 0;
    examples.forEach((e, i) => {
      if (e.task !== info.name) return;
      const s = scoreRow(rows[i], e);
      n++;
      if (s.argmaxRight) right++;
      if (s.binaryRight) binary++;
      loss += s.loss;
    });
    if (n > 0)
      scores.push({
        task: info.name,
        n,
        accuracy: right / n,
        binaryAccuracy: binary / n,
        answerLoss: loss / n,
      });
  }
  return scores;
}

export function evaluateTasks(weights: Gpt2Weights, examples: readonly TaskExample[]): TaskScore[] {
  return scoreTasks(answerLogits(weights, examples), examples);
}
