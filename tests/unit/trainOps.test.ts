// Every training op's backward against central finite differences, in f64 (so a step of 1e-5 gives
// ~1e-9 truncation and rounding error), on odd shapes. Each check takes L = Σ out·r for a fixed random r,
// whose gradient with respect to out is r, and compares dL/dinput from the backward with
// (L(input + h·e_i) − L(input − h·e_i)) / 2h for every input entry.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/math/rng';
import { attentionBackward, attentionForward, probsLength } from '../../src/train/attentionGrad';
import { softmaxCrossEntropy } from '../../src/train/crossEntropy';
import { embeddingBackward, embeddingForward } from '../../src/train/embeddingGrad';
import { geluBackward, geluDerivative, geluForward } from '../../src/train/geluGrad';
import { layerNormBackward, layerNormForward } from '../../src/train/layerNormGrad';
import { LinearScratch, linearBackward, linearForward } from '../../src/train/linearGrad';

const rng = new Rng(1234);
const rand = (n: number, scale = 1) => Float64Array.from({ length: n }, () => scale * (2 * rng.next() - 1));
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

/** Central differences of `loss` with respect to every entry of `x` (perturbed in place, restored). */
function numericGrad(x: Float64Array, loss: () => number, h = 1e-5): Float64Array {
  const g = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    x[i] = v + h;
    const up = loss();
    x[i] = v - h;
    const down = loss();
    x[i] = v;
    g[i] = (up - down) / (2 * h);
  }
  return g;
}

function expectGradClose(analytic: ArrayLike<number>, numeric: ArrayLike<number>, tol = 1e-7): void {
  expect(analytic.length).toBe(numeric.length);
  let maxErr = 0;
  let maxRef = 0;
  for (let i = 0; i < numeric.length; i++) {
    maxErr = Math.max(maxErr, Math.abs(analytic[i] - numeric[i]));
    maxRef = Math.max(maxRef, Math.abs(numeric[i]));
  }
  expect(maxRef).toBeGreaterThan(1e-3); // the check must have something to compare
  expect(maxErr).toBeLessThan(tol * Math.max(1, maxRef));
}

describe('linear backward', () => {
  const [R, N, K] = [5, 7, 6];
  const x = rand(R * K);
  const w = rand(N * K);
  const b = rand(N);
  const r = rand(R * N);
  const loss = () => dot(linearForward(x, w, b, R, N, K, new Float64Array(R * N)), r);

  it('dx, dW, db match finite differences (f64)', () => {
    const grads = { dx: new Float64Array(R * K), dw: new Float64Array(N * K), db: new Float64Array(N) };
    linearBackward(r, x, w, R, N, K, grads);
    expectGradClose(grads.dx, numericGrad(x, loss));
    expectGradClose(grads.dw, numericGrad(w, loss));
    expectGradClose(grads.db, numericGrad(b, loss));
  });

  it('the Float32 path (matmulFast on transposes) agrees with the f64 reference', () => {
    const [R2, N2, K2] = [13, 10, 9]; // not multiples of the 3×4 tile
    const x64 = rand(R2 * K2);
    const w64 = rand(N2 * K2);
    const dy64 = rand(R2 * N2);
    const ref = { dx: new Float64Array(R2 * K2), dw: new Float64Array(N2 * K2), db: new Float64Array(N2) };
    linearBackward(dy64, x64, w64, R2, N2, K2, ref);
    const f32 = {
      dx: new Float32Array(R2 * K2).fill(Number.NaN),
      dw: new Float32Array(N2 * K2).fill(Number.NaN),
      db: new Float32Array(N2),
    };
    const scratch = new LinearScratch();
    for (let rep = 0; rep < 2; rep++) {
      linearBackward(
        Float32Array.from(dy64),
        Float32Array.from(x64),
        Float32Array.from(w64),
        R2,
        N2,
        K2,
        f32,
        scratch,
      );
    }
    for (const key of ['dx', 'dw', 'db'] as const) {
      for (let i = 0; i < ref[key].length; i++) expect(f32[key][i]).toBeCloseTo(ref[key][i], 5);
    }
  });
});

describe('layer norm backward', () => {
  const [R, d] = [4, 9];
  const x = rand(R * d, 2);
  const g = rand(d);
  const b = rand(d);
  const r = rand(R * d);
  const loss = () => {
    const out = new Float64Array(R * d);
    layerNormForward(x, g, b, R, d, 1e-5, out);
    return dot(out, r);
  };

  it('dx (accumulated), dg, db match finite differences (f64)', () => {
    const out = new Float64Array(R * d);
    const stats = layerNormForward(x, g, b, R, d, 1e-5, out);
    const base = rand(R * d); // dx is added to what is already there (the residual path's share)
    const dx = base.slice();
    const dg = new Float64Array(d);
    const db = new Float64Array(d);
    layerNormBackward(r, x, g, stats, R, d, dx, dg, db);
    const added = dx.map((v, i) => v - base[i]);
    expectGradClose(added, numericGrad(x, loss));
    expectGradClose(dg, numericGrad(g, loss));
    expectGradClose(db, numericGrad(b, loss));
  });
});

describe('GELU backward', () => {
  it("gelu' matches finite differences across the range", () => {
    const xs = rand(41, 5);
    const numeric = xs.map((v) => {
      const one = new Float64Array([v]);
      return numericGrad(one, () => geluForward(one, new Float64Array(1))[0])[0];
    });
    expectGradClose(
      xs.map((v) => geluDerivative(v)),
      numeric,
    );
    const r = rand(41);
    const dpre = geluBackward(r, xs, new Float64Array(41));
    expectGradClose(
      dpre,
      numericGrad(xs, () => dot(geluForward(xs, new Float64Array(41)), r)),
    );
  });
});

describe('causal attention backward', () => {
  const shape = { batch: 2, T: 5, nHead: 2, d: 6 };
  const R = shape.batch * shape.T;
  const qkv = rand(R * 3 * shape.d, 1.5);
  const r = rand(R * shape.d);
  const run = () => {
    const probs = new Float64Array(probsLength(shape));
    const out = attentionForward(qkv, shape, probs, new Float64Array(R * shape.d));
    return { probs, out };
  };

  it('dq, dk, dv match finite differences (f64)', () => {
    const { probs } = run();
    const dqkv = attentionBackward(r, qkv, probs, shape, new Float64Array(R * 3 * shape.d));
    expectGradClose(
      dqkv,
      numericGrad(qkv, () => dot(run().out, r)),
    );
  });

  it('is causal: an output never depends on a later position', () => {
    const { out } = run();
    const before = out.slice(0, shape.d * 3); // rows 0..2 of sequence 0
    qkv[4 * 3 * shape.d + 1] += 10; // a later token's q (row 4)
    qkv[4 * 3 * shape.d + shape.d + 1] += 10; // and its k
    expect(Array.from(run().out.slice(0, shape.d * 3))).toEqual(Array.from(before));
  });
});

describe('embedding backward', () => {
  it('dwte and dwpe match finite differences, repeated tokens accumulate', () => {
    const [V, P, d, batch, T] = [5, 4, 3, 2, 4];
    const tokens = [1, 3, 1, 0, 4, 4, 2, 1];
    const wte = rand(V * d);
    const wpe = rand(P * d);
    const r = rand(batch * T * d);
    const loss = () =>
      dot(embeddingForward(tokens, wte, wpe, batch, T, d, new Float64Array(batch * T * d)), r);
    const dwte = new Float64Array(V * d);
    const dwpe = new Float64Array(P * d);
    embeddingBackward(r, tokens, batch, T, d, dwte, dwpe);
    expectGradClose(dwte, numericGrad(wte, loss));
    expectGradClose(dwpe, numericGrad(wpe, loss));
  });
});

describe('softmax cross-entropy', () => {
  it('dlogits matches finite differences; rows with target −1 are ignored', () => {
    const [rows, V] = [4, 7];
    const logits = rand(rows * V, 3);
    const targets = [2, -1, 6, 0];
    const loss = () => softmaxCrossEntropy(logits, targets, rows, V, null).loss;
    const dl = new Float64Array(rows * V);
    const res = softmaxCrossEntropy(logits, targets, rows, V, dl);
    expect(res.count).toBe(3);
    expectGradClose(dl, numericGrad(logits, loss));
    expect(Array.from(dl.slice(V, 2 * V))).toEqual(new Array(V).fill(0));
    // Uniform logits: loss is log V.
    expect(softmaxCrossEntropy(new Float64Array(V), [3], 1, V, null).loss).toBeCloseTo(Math.log(V), 12);
  });
});
