// One training run of the tiny pair, step by step (the CLI in scripts/train.ts drives it, the tests run
// a few steps). Deterministic from the seed: the weights come from initGpt2(seed), the batches from an
// Rng stream derived from the seed, and everything after is plain float arithmetic in a fixed order.
// Schedule: linear warmup, then linear decay to minLrFraction·lr; global gradient-norm clipping; AdamW.
// A sparse run adds the Gao et al. recipe of sparseSchedule.ts after every optimizer step.

import { Rng } from '../math/rng';
import type { Gpt2Config } from '../model/config';
import { initGpt2 } from '../model/init';
import { charTokenizer } from '../model/tokenizer';
import type { Gpt2Weights } from '../model/weights';
import { AdamW, clipGradNorm } from './adamw';
import { forwardBackward, TrainWorkspace } from './gpt2Train';
import { namedParams, zerosLikeWeights } from './params';
import { densityAt, type PruneStats, pruneWeights, type SparseRecipe, sparseLrScale } from './sparseSchedule';
import { trainingText, VOCAB } from './tasks';

export interface TrainOptions {
  config: Gpt2Config;
  seed: number;
  steps: number;
  /** Sequences per step; each is config.nCtx characters (nCtx + 1 with the last target). */
  batch: number;
  lr: number;
  warmupSteps?: number;
  /** The learning rate decays linearly to lr·minLrFraction at the last step (default 0.1). */
  minLrFraction?: number;
  weightDecay?: number;
  beta1?: number;
  beta2?: number;
  /** Global gradient-norm clip (default 1). */
  gradClip?: number;
  /** Present for the sparse run. */
  sparse?: SparseRecipe;
}

export interface StepLog {
  step: number;
  loss: number;
  lr: number;
  gradNorm: number;
  /** Top-k density after this step (1 for the dense run). */
  density: number;
  /** Nonzero fraction of the block matrices after this step. */
  nonzeroFraction: number;
  ms: number;
}

const tokenizer = charTokenizer(VOCAB);

/** The training data stream of a seed: independent of the init stream and of the held-out set's. */
function dataStream(seed: number): Rng {
  return new Rng((seed * 0x9e3779b1 + 0x7f4a7c15) >>> 0);
}

/**
 * Every complete snippet a run with these options trains on (the last, cut-off snippet of each sequence
 * excluded), replaying its data stream: to tell held-out examples the run never saw from those it did.
 */
export function trainingSnippets(
  options: Pick<TrainOptions, 'seed' | 'steps' | 'batch' | 'config'>,
): Set<string> {
  const rng = dataStream(options.seed);
  const seen = new Set<string>();
  for (let i = 0; i < options.steps * options.batch; i++) {
    const parts = trainingText(rng, options.config.nCtx + 1).split('\n\n');
    for (let p = 0; p < parts.length - 1; p++) seen.add(`${parts[p]}\n`);
  }
  return seen;
}

export class TrainingRun {
  readonly weights: Gpt2Weights;
  readonly grads: Gpt2Weights;
  readonly options: TrainOptions;
  private readonly ws: TrainWorkspace;
  private readonly optimizer: AdamW;
  private readonly gradArrays: Float32Array[];
  private readonly dataRng: Rng;
  private readonly tokens: Int32Array;
  private readonly targets: Int32Array;
  /** Optimizer steps taken. */
  step = 0;
  lastPrune: PruneStats | undefined;

  constructor(options: TrainOptions) {
    if (options.config.vocabSize !== VOCAB.length) {
      throw new Error(
        `train: vocabSize ${options.config.vocabSize} must be the vocabulary's ${VOCAB.length}`,
      );
    }
    this.options = options;
    this.weights = initGpt2(options.config, { seed: options.seed });
    this.grads = zerosLikeWeights(this.weights);
    this.ws = new TrainWorkspace(this.weights, options.batch, options.config.nCtx);
    const params = namedParams(this.weights);
    this.optimizer = new AdamW(params, {
      weightDecay: options.weightDecay ?? 0.1,
      beta1: options.beta1,
      beta2: options.beta2,
    });
    this.gradArrays = namedParams(this.grads).map((p) => p.data);
    this.dataRng = dataStream(options.seed);
    const R = options.batch * options.config.nCtx;
    this.tokens = new Int32Array(R);
    this.targets = new Int32Array(R);
  }

  /** Learning rate of optimizer step `step` (1-based), before the sparse scaling. */
  baseLr(step: number): number {
    const { lr, steps } = this.options;
    const warmup = this.options.warmupSteps ?? Math.max(1, Math.round(0.02 * steps));
    if (step <= warmup) return (lr * step) / warmup;
    const minFrac = this.options.minLrFraction ?? 0.1;
    const progress = (step - warmup) / Math.max(1, steps - warmup);
    return lr * (1 - (1 - minFrac) * progress);
  }

  /** Fill the next batch: nCtx + 1 characters per sequence, shifted by one for the targets. */
  private nextBatch(): void {
    const T = this.options.config.nCtx;
    for (let b = 0; b < this.options.batch; b++) {
      const ids = tokenizer.encode(trainingText(this.dataRng, T + 1));
      for (let t = 0; t < T; t++) {
        this.tokens[b * T + t] = ids[t];
        this.targets[b * T + t] = ids[t + 1];
      }
    }
  }

  /** One optimizer step (and, for a sparse run, the prune after it). */
  trainStep(): StepLog {
    const t0 = performance.now();
    this.nextBatch();
    const loss = forwardBackward(this.ws, this.grads, this.tokens, this.targets);
    const gradNorm = clipGradNorm(this.gradArrays, this.options.gradClip ?? 1);
    const step = ++this.step;
    const recipe = this.options.sparse;
    const density = recipe ? densityAt(recipe, step, this.options.steps) : 1;
    const lr = this.baseLr(step) * (recipe ? sparseLrScale(recipe, density) : 1);
    this.optimizer.step(this.gradArrays, lr);
    let nonzeroFraction = 1;
    if (recipe) {
      this.lastPrune = pruneWeights(this.weights, density, recipe.minPerNeuron);
      nonzeroFraction = this.lastPrune.nonzero / this.lastPrune.total;
    }
    return { step, loss, lr, gradNorm, density, nonzeroFraction, ms: performance.now() - t0 };
  }
}
