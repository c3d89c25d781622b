// The training model as a whole: its forward is the inference oracle's (forwardCpu), its
// backward agrees with finite differences along random directions for every parameter tensor, AdamW
// and the sparse recipe do what they claim, and a short run is deterministic and lowers the loss.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/math/rng';
import { forwardCpu } from '../../src/math/transformer';
import type { Gpt2Config } from '../../src/model/config';
import { initGpt2 } from '../../src/model/init';
import { linearsOf } from '../../src/model/weights';
import { AdamW, clipGradNorm } from '../../src/train/adamw';
import { forwardBackward, forwardTape, TrainWorkspace } from '../../src/train/gpt2Train';
import { namedParams, zerosLikeWeights } from '../../src/train/params';
import { densityAt, keepTopKWithMinimum, pruneWeights, sparseLrScale } from '../../src/train/sparseSchedule';
import { VOCAB } from '../../src/train/tasks';
import { TrainingRun } from '../../src/train/trainer';

// Odd sizes; std 0.3 so activations are far from zero and every path carries gradient.
const config: Gpt2Config = {
  nLayer: 2,
  nHead: 3,
  dModel: 12,
  dMlp: 20,
  nCtx: 9,
  vocabSize: 11,
  layerNormEps: 1e-5,
};
const [batch, T] = [2, 7];
const rng = new Rng(99);
const tokens = Int32Array.from({ length: batch * T }, () => rng.int(config.vocabSize));
const targets = Int32Array.from({ length: batch * T }, (_, i) =>
  i % 5 === 4 ? -1 : rng.int(config.vocabSize),
);

describe('training forward', () => {
  it('equals forwardCpu (the inference oracle), per sequence', () => {
    const weights = initGpt2(config, { seed: 3, std: 0.3 });
    const logits = forwardTape(new TrainWorkspace(weights, batch, T), tokens);
    const V = config.vocabSize;
    let maxDiff = 0;
    for (let b = 0; b < batch; b++) {
      const ref = forwardCpu(weights, tokens.subarray(b * T, (b + 1) * T), {
        collectActivations: false,
      }).logits;
      expect(ref.length).toBe(T * V);
      for (let i = 0; i < ref.length; i++)
        maxDiff = Math.max(maxDiff, Math.abs(logits[b * T * V + i] - ref[i]));
    }
    // Same ops in the same order; only matmulFast's f32-accumulating SIMD kernel may round differently
    // for a different row count (B·T rows here, T there).
    expect(maxDiff).toBeLessThan(1e-5);
  });
});

describe('training backward', () => {
  it('every parameter tensor: directional derivative matches central differences', () => {
    const weights = initGpt2(config, { seed: 5, std: 0.3 });
    const grads = zerosLikeWeights(weights);
    const ws = new TrainWorkspace(weights, batch, T);
    forwardBackward(ws, grads, tokens, targets);
    const params = namedParams(weights);
    const gparams = namedParams(grads);
    const dirRng = new Rng(7);
    const h = 1e-2; // f32 model: a large step, the loss is smooth at this scale (truncation ~h²)
    for (let p = 0; p < params.length; p++) {
      const data = params[p].data;
      const saved = data.slice();
      const dir = Float32Array.from({ length: data.length }, () => (dirRng.next() < 0.5 ? -1 : 1));
      let analytic = 0;
      for (let i = 0; i < data.length; i++) analytic += gparams[p].data[i] * dir[i];
      const lossAt = (s: number) => {
        for (let i = 0; i < data.length; i++) data[i] = saved[i] + s * h * dir[i];
        return forwardBackward(ws, zerosLikeWeights(weights), tokens, targets);
      };
      const numeric = (lossAt(1) - lossAt(-1)) / (2 * h);
      data.set(saved);
      expect(Math.abs(analytic), params[p].name).toBeGreaterThan(1e-3);
      expect(Math.abs(analytic - numeric), params[p].name).toBeLessThan(2e-3 + 2e-2 * Math.abs(numeric));
    }
  });
});

describe('AdamW', () => {
  it('matches a hand-computed first step; biases and norms are not decayed', () => {
    const weights = initGpt2(config, { seed: 1 });
    const params = namedParams(weights);
    const before = params.map((p) => p.data.slice());
    const grads = params.map((p) => Float32Array.from(p.data, (_, i) => ((i % 3) - 1) * 0.5));
    new AdamW(params, { weightDecay: 0.1, beta1: 0.9, beta2: 0.95, eps: 1e-8 }).step(grads, 0.01);
    for (let p = 0; p < params.length; p++) {
      const decay = params[p].kind === 'matrix' || params[p].kind === 'embedding';
      for (const i of [0, 1, 2]) {
        const g = grads[p][i];
        // Step 1: m̂ = g, v̂ = g², so the Adam part is lr·g/(|g| + eps).
        const expected = before[p][i] * (decay ? 1 - 0.01 * 0.1 : 1) - (0.01 * g) / (Math.abs(g) + 1e-8);
        expect(params[p].data[i]).toBeCloseTo(expected, 6);
      }
    }
  });

  it('clipGradNorm scales to the maximum norm and reports the norm before', () => {
    const g = [new Float32Array([3, 0]), new Float32Array([4])];
    expect(clipGradNorm(g, 1)).toBeCloseTo(5, 6);
    expect(Array.from(g[0])).toEqual([expect.closeTo(0.6, 6), 0]);
    expect(clipGradNorm([new Float32Array([0.3])], 1)).toBeCloseTo(0.3, 6);
  });
});

describe('sparse recipe', () => {
  const recipe = { targetDensity: 1 / 32, minPerNeuron: 4, annealFraction: 0.5 };
  it('anneals k linearly from dense to the target over the first half, with the lr scaled by √(target/density)', () => {
    expect(densityAt(recipe, 0, 100)).toBe(1);
    expect(densityAt(recipe, 25, 100)).toBeCloseTo(1 - (1 - 1 / 32) / 2, 12);
    expect(densityAt(recipe, 50, 100)).toBeCloseTo(1 / 32, 12);
    expect(densityAt(recipe, 90, 100)).toBeCloseTo(1 / 32, 12);
    expect(sparseLrScale(recipe, 1)).toBeCloseTo(Math.sqrt(1 / 32), 12);
    expect(sparseLrScale(recipe, 1 / 32)).toBe(1);
  });

  /** Reference: sort by (forced first, |w| desc, index asc) and keep the first max(keep, n·m). */
  function referenceMask(w: Float32Array, n: number, k: number, keep: number, m: number): boolean[] {
    const forced = new Set<number>();
    for (let r = 0; r < n; r++) {
      const row = Array.from({ length: k }, (_, c) => r * k + c);
      row.sort((a, b) => Math.abs(w[b]) - Math.abs(w[a]) || a - b);
      for (const i of row.slice(0, m)) forced.add(i);
    }
    const order = Array.from({ length: w.length }, (_, i) => i);
    order.sort(
      (a, b) => Number(forced.has(b)) - Number(forced.has(a)) || Math.abs(w[b]) - Math.abs(w[a]) || a - b,
    );
    const mask = new Array(w.length).fill(false);
    for (const i of order.slice(0, Math.max(keep, n * m))) mask[i] = true;
    return mask;
  }

  it('keeps exactly max(k, n·m): every row its top m, then the largest |w| (ties: lower index)', () => {
    const r = new Rng(8);
    for (const [n, k, keep, m] of [
      [7, 9, 20, 2], // k above the minimum: some rows get more
      [7, 9, 10, 2], // k below n·m: exactly m per row
      [5, 3, 4, 4], // m capped at the row length: everything kept
      [6, 8, 15, 1],
    ]) {
      // Values from a small set, so there are many ties in |w| (and both signs).
      const w = Float32Array.from(
        { length: n * k },
        () => (r.int(7) - 3) * 0.25 + (r.next() < 0.1 ? 0 : 0.01),
      );
      const expected = referenceMask(w, n, k, keep, m);
      const pruned = w.slice();
      const kept = keepTopKWithMinimum(pruned, n, k, keep, m);
      expect(kept).toBe(Math.min(n * k, Math.max(keep, n * Math.min(m, k))));
      expect(Array.from(pruned)).toEqual(Array.from(w, (v, i) => (expected[i] ? v : 0)));
    }
  });

  it('prunes only the block matrices, to the annealed density, at least m per neuron', () => {
    const weights = initGpt2({ ...config, dModel: 24, nHead: 4, dMlp: 40 }, { seed: 2 });
    const wte = weights.wte.slice();
    const stats = pruneWeights(weights, 1 / 8, 2);
    expect(Array.from(weights.wte)).toEqual(Array.from(wte));
    let nonzero = 0;
    for (const [, lin] of linearsOf(weights)) {
      let inMatrix = 0;
      for (let row = 0; row < lin.n; row++) {
        let count = 0;
        for (let c = 0; c < lin.k; c++) if (lin.w[row * lin.k + c] !== 0) count++;
        expect(count).toBeGreaterThanOrEqual(2);
        inMatrix += count;
      }
      expect(inMatrix).toBe(Math.max(Math.ceil((lin.n * lin.k) / 8), lin.n * 2));
      nonzero += inMatrix;
    }
    expect(stats.nonzero).toBe(nonzero);
  });
});

describe('a short training run', () => {
  const options = {
    config: {
      nLayer: 1,
      nHead: 2,
      dModel: 16,
      dMlp: 32,
      nCtx: 64,
      vocabSize: VOCAB.length,
      layerNormEps: 1e-5,
    },
    seed: 4,
    steps: 12,
    batch: 2,
    lr: 1e-2,
  };
  const losses = (sparse: boolean) => {
    const run = new TrainingRun({
      ...options,
      sparse: sparse ? { targetDensity: 1 / 8, minPerNeuron: 4, annealFraction: 0.5 } : undefined,
    });
    return Array.from({ length: options.steps }, () => run.trainStep().loss);
  };

  it('is deterministic (same seed → identical losses) and lowers the loss, dense and sparse', () => {
    for (const sparse of [false, true]) {
      const a = losses(sparse);
      expect(losses(sparse)).toEqual(a);
      const head = (a[0] + a[1] + a[2]) / 3;
      const tail = (a[9] + a[10] + a[11]) / 3;
      expect(tail).toBeLessThan(head - 0.3);
    }
  });
});
