// The examples a circuit is found and scored on, as padded batches: each example's prompt (its tokens up to
// the answer) padded with newlines to the batch's longest, scored at its last prompt position. Padding comes
// after the scored row, so causality keeps it out of the answer's logits, and out of the means.
// The control task keeps every prompt and replaces each answer by a random one of the task's two
// candidates (seeded): no circuit can know it, so a low control loss would mean the pruning overfits.

import { Rng } from '../math/rng';
import { charTokenizer } from '../model/tokenizer';
import {
  generateExample,
  HELD_OUT_SEED,
  heldOutSet,
  TASKS,
  type TaskExample,
  type TaskName,
  VOCAB,
} from '../train/tasks';

const tokenizer = charTokenizer(VOCAB);
const tokenId = (c: string) => tokenizer.encode(c)[0];

export interface TaskBatch {
  batch: number;
  T: number;
  /** batch·T token ids. */
  tokens: Int32Array;
  /** Per example: the scored position (prompt length − 1) and the prompt length. */
  answerRows: Int32Array;
  lengths: Int32Array;
  /** Per example: the answer's token id, the other candidate's, and the control (shuffled) answer's. */
  answers: Int32Array;
  others: Int32Array;
  controlAnswers: Int32Array;
}

export function taskInfo(task: TaskName) {
  const info = TASKS.find((t) => t.name === task);
  if (!info) throw new Error(`unknown task "${task}"; choose one of ${TASKS.map((t) => t.name).join(', ')}`);
  return info;
}

/** `count` fresh examples of `task` for discovery, from a stream seeded by `seed` (never the held-out one). */
export function discoveryExamples(task: TaskName, seed: number, count: number): TaskExample[] {
  taskInfo(task);
  const rng = new Rng((Math.imul(seed + 1, 0x85ebca6b) ^ 0x5bd1e995 ^ task.length) >>> 0);
  const out: TaskExample[] = [];
  for (let i = 0; i < count; i++) out.push(generateExample(task, rng));
  return out;
}

/** The first `count` held-out examples of `task` (the set docs/training.md scores the pair on). */
export function evaluationExamples(task: TaskName, count: number): TaskExample[] {
  return heldOutSet(HELD_OUT_SEED, count).filter((e) => e.task === task);
}

/**
 * Examples → batches of at most `batchSize`, shortest prompts first (less padding). The control answers are
 * drawn from `controlSeed` in the examples' original order, so they do not depend on the batching.
 */
export function makeBatches(
  examples: readonly TaskExample[],
  batchSize: number,
  controlSeed: number,
): TaskBatch[] {
  const rng = new Rng(controlSeed >>> 0);
  const control = examples.map((e) => taskInfo(e.task).candidates[rng.int(2)]);
  const order = examples.map((_, i) => i).sort((a, b) => examples[a].answerIndex - examples[b].answerIndex);
  const newline = tokenId('\n');
  const batches: TaskBatch[] = [];
  for (let start = 0; start < order.length; start += batchSize) {
    const ids = order.slice(start, start + batchSize);
    const batch = ids.length;
    const T = Math.max(...ids.map((i) => examples[i].answerIndex));
    const b: TaskBatch = {
      batch,
      T,
      tokens: new Int32Array(batch * T).fill(newline),
      answerRows: new Int32Array(batch),
      lengths: new Int32Array(batch),
      answers: new Int32Array(batch),
      others: new Int32Array(batch),
      controlAnswers: new Int32Array(batch),
    };
    ids.forEach((i, row) => {
      const e = examples[i];
      const [c0, c1] = taskInfo(e.task).candidates;
      b.tokens.set(tokenizer.encode(e.prompt), row * T);
      b.lengths[row] = e.answerIndex;
      b.answerRows[row] = e.answerIndex - 1;
      b.answers[row] = tokenId(e.answer);
      b.others[row] = tokenId(e.answer === c0 ? c1 : c0);
      b.controlAnswers[row] = tokenId(control[i]);
    });
    batches.push(b);
  }
  return batches;
}
