// Circuit discovery (after Gao et al. 2025): learn one logit θ per node with frozen weights. The forward
// uses hard gates g = [θ > 0]; the backward passes dL/dg through the sigmoid (straight-through estimator),
// and a penalty λ·Σσ(θ) on the expected number of kept nodes pushes unneeded nodes out. Then binarise:
// keep the k nodes of largest θ, with k the smallest (binary search) whose task loss on the discovery
// examples is under the target, and verify on the held-out examples (growing k there if it is not).
// The control task runs the same procedure on shuffled answers and keeps as many nodes.

import { Rng } from '../math/rng';
import type { Gpt2Weights } from '../model/weights';
import type { TaskName } from '../train/tasks';
import { type CircuitScore, CircuitScorer } from './scorer';
import { discoveryExamples, evaluationExamples, makeBatches, taskInfo } from './taskData';

export type Ablation = 'mean' | 'zero';

export interface DiscoverOptions {
  task: TaskName;
  ablation?: Ablation;
  /** Task-loss ceiling for the circuit (nats); default: the full model's loss + DEFAULT_MARGIN. */
  targetLoss?: number;
  seed?: number;
  steps?: number;
  /** Penalty per expected kept node. */
  penalty?: number;
  learningRate?: number;
  trainExamples?: number;
  evalExamples?: number;
  batchSize?: number;
  onProgress?: (fraction: number, what: string) => void;
  /** Awaited between steps (a worker yields here so a cancel message can arrive). */
  tick?: () => Promise<void>;
  /** Checked between steps; true stops discovery with a CircuitCancelled error. */
  cancelled?: () => boolean;
}

export class CircuitCancelled extends Error {
  override name = 'CircuitCancelled';
  constructor() {
    super('circuit discovery cancelled');
  }
}

/** Default target = full-model loss + this many nats (mean p(answer) stays within ~10 % of the full model's). */
const DEFAULT_MARGIN = 0.1;

export interface CircuitFinding {
  task: TaskName;
  ablation: Ablation;
  targetLoss: number;
  /** Flat 0/1 node flags (nodeLayout order) and the values ablated nodes take. */
  keep: Float32Array;
  means: Float32Array;
  full: CircuitScore;
  circuit: CircuitScore;
  ablated: CircuitScore;
  /** The control circuit (same size, shuffled answers) on the held-out prompts, and on its own examples. */
  control: CircuitScore;
  controlTrain: CircuitScore;
  /** The same circuit with the other ablation (zero for mean, mean for zero). */
  otherAblation: { ablation: Ablation; score: CircuitScore };
  settings: Required<
    Pick<
      DiscoverOptions,
      'seed' | 'steps' | 'penalty' | 'learningRate' | 'trainExamples' | 'evalExamples' | 'batchSize'
    >
  >;
  ms: number;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Node logits after `steps` Adam steps on the hard-gated, penalised task loss. */
async function learnLogits(
  scorer: CircuitScorer,
  means: Float32Array,
  control: boolean,
  o: CircuitFinding['settings'],
  report: (step: number) => Promise<void>,
): Promise<Float64Array> {
  const n = scorer.nodeCount;
  // Spread start values: with one start value every node would cross 0 in the same step (the penalty's
  // push is the same for all while the full model's loss, and so its gradient, is near 0) and the mask
  // would jump from everything to nothing. Spread, nodes leave one by one and come back when missed.
  const rng = new Rng(o.seed + (control ? 7919 : 0));
  const theta = Float64Array.from({ length: n }, () => 0.5 + 4 * rng.next());
  const m1 = new Float64Array(n);
  const m2 = new Float64Array(n);
  const gates = new Float32Array(n);
  const grad = new Float64Array(n);
  const [b1, b2, eps] = [0.9, 0.999, 1e-8];
  for (let step = 1; step <= o.steps; step++) {
    for (let i = 0; i < n; i++) gates[i] = theta[i] > 0 ? 1 : 0;
    grad.fill(0);
    scorer.lossAndGrad((step - 1) % scorer.batches.length, gates, means, control, grad);
    const c1 = 1 - b1 ** step;
    const c2 = 1 - b2 ** step;
    for (let i = 0; i < n; i++) {
      const s = sigmoid(theta[i]);
      const g = (grad[i] + o.penalty) * s * (1 - s);
      m1[i] = b1 * m1[i] + (1 - b1) * g;
      m2[i] = b2 * m2[i] + (1 - b2) * g * g;
      theta[i] -= (o.learningRate * (m1[i] / c1)) / (Math.sqrt(m2[i] / c2) + eps);
    }
    await report(step);
  }
  return theta;
}

/** 0/1 flags keeping the first k of `order`. */
function topK(order: readonly number[], k: number, n: number): Float32Array {
  const keep = new Float32Array(n);
  for (let i = 0; i < k; i++) keep[order[i]] = 1;
  return keep;
}

/** Smallest k in [lo, hi] with passes(k), assuming passes(hi) (binary search; the loss is near-monotone). */
function smallestPassing(lo: number, hi: number, passes: (k: number) => boolean): number {
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (passes(mid)) hi = mid;
    else lo = mid + 1;
  }
  return hi;
}

/**
 * Smallest k that passes on the discovery examples, searched below the first passing size from `start`
 * (growing by 1/16 of n at a time), then verified on the held-out examples (grown the same way if not).
 */
function growThenShrink(
  start: number,
  n: number,
  passesTrain: (k: number) => boolean,
  passesEval: (k: number) => boolean,
): number {
  const grow = (from: number, passes: (k: number) => boolean) => {
    let k = from;
    while (k < n && !passes(k)) k = Math.min(n, k + Math.ceil(n / 16));
    return k;
  };
  const upper = grow(start, passesTrain);
  let k = smallestPassing(0, upper, passesTrain);
  if (!passesEval(k)) {
    const upperEval = grow(k, passesEval);
    k = smallestPassing(k, upperEval, passesEval);
  }
  return k;
}

export async function discoverCircuit(
  weights: Gpt2Weights,
  options: DiscoverOptions,
): Promise<CircuitFinding> {
  const start = performance.now();
  const { task } = options;
  taskInfo(task);
  const ablation = options.ablation ?? 'mean';
  const settings: CircuitFinding['settings'] = {
    seed: options.seed ?? 1,
    steps: options.steps ?? 120,
    penalty: options.penalty ?? 0.002,
    learningRate: options.learningRate ?? 0.1,
    trainExamples: options.trainExamples ?? 128,
    evalExamples: options.evalExamples ?? 200,
    batchSize: options.batchSize ?? 16,
  };
  const progress = options.onProgress ?? (() => {});
  const check = async () => {
    await options.tick?.();
    if (options.cancelled?.()) throw new CircuitCancelled();
  };
  progress(0, 'preparing the examples');
  const train = new CircuitScorer(
    weights,
    makeBatches(
      discoveryExamples(task, settings.seed, settings.trainExamples),
      settings.batchSize,
      settings.seed + 101,
    ),
  );
  const evaluation = new CircuitScorer(
    weights,
    makeBatches(evaluationExamples(task, settings.evalExamples), settings.batchSize, settings.seed + 202),
  );
  const n = train.nodeCount;
  const meanValues = train.means();
  const zeros = new Float32Array(n);
  const means = ablation === 'mean' ? meanValues : zeros;
  const full = evaluation.score(new Float32Array(n).fill(1), means);
  const targetLoss = options.targetLoss ?? full.loss + DEFAULT_MARGIN;
  const ablated = evaluation.score(zeros, means);
  await check();

  const phase = (from: number, what: string) => async (step: number) => {
    if (step % 10 === 0 || step === settings.steps)
      progress(from + (0.45 * step) / settings.steps, `${what}: step ${step} of ${settings.steps}`);
    await check();
  };
  const theta = await learnLogits(train, means, false, settings, phase(0.02, 'learning the node masks'));
  const byTheta = (t: Float64Array) => Array.from(t.keys()).sort((a, b) => t[b] - t[a] || a - b);
  const order = byTheta(theta);
  progress(0.48, 'binarising and verifying');
  // The learned set (θ > 0) is where the search starts: adding nodes the mask learned to drop can raise
  // the loss (the rest of the circuit adapted to their absence), so the loss is only near-monotone in k
  // below it; above it, grow in steps until the target holds.
  const passesOn = (scorer: CircuitScorer) => (kk: number) =>
    scorer.score(topK(order, kk, n), means).loss <= targetLoss;
  const k = growThenShrink(theta.filter((t) => t > 0).length, n, passesOn(train), passesOn(evaluation));
  const keep = topK(order, k, n);
  const circuit = evaluation.score(keep, means);
  await check();

  const controlTheta = await learnLogits(
    train,
    means,
    true,
    settings,
    phase(0.5, 'control task (shuffled answers)'),
  );
  const controlKeep = topK(byTheta(controlTheta), k, n);
  const control = evaluation.score(controlKeep, means, true);
  const controlTrain = train.score(controlKeep, means, true);
  const other: Ablation = ablation === 'mean' ? 'zero' : 'mean';
  const otherScore = evaluation.score(keep, other === 'mean' ? meanValues : zeros);
  progress(1, 'done');
  return {
    task,
    ablation,
    targetLoss,
    keep,
    means,
    full,
    circuit,
    ablated,
    control,
    controlTrain,
    otherAblation: { ablation: other, score: otherScore },
    settings,
    ms: performance.now() - start,
  };
}
