import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { copyDispatchSize } from '../../src/gpu/kernels/copy';
import {
  chooseCsrVariant,
  csrDispatchSize,
  csrWorkgroupCount,
  DEFAULT_CSR_TUNING,
  subgroupRowsPerWorkgroup,
} from '../../src/gpu/kernels/spmmCsr';
import { type ActivationName, applyActivation } from '../../src/math/activations';
import { CsrMatrix } from '../../src/math/csr';
import { Rng } from '../../src/math/rng';
import { SPMM_FAST_TILE, spmmFast, spmmRef } from '../../src/math/spmm';

/** Dense oracle on the dense copy of W: y = act(x · Wᵀ + bias), f64 dot products. */
function denseRef(
  x: Float32Array,
  w: Float32Array,
  bias: Float32Array | null,
  batch: number,
  n: number,
  k: number,
  activation: ActivationName,
  clampMax: number,
): Float32Array {
  const y = new Float32Array(batch * n);
  for (let b = 0; b < batch; b++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = 0; i < k; i++) s += x[b * k + i] * w[j * k + i];
      y[b * n + j] = s + (bias ? bias[j] : 0);
    }
  }
  return applyActivation(y, activation, clampMax);
}

function randomCsr(rng: Rng, rows: number, cols: number, density: number): CsrMatrix {
  const dense = new Float32Array(rows * cols);
  for (let i = 0; i < dense.length; i++) if (rng.next() < density) dense[i] = rng.normal();
  return CsrMatrix.fromDense(dense, rows, cols);
}

function expectNear(actual: Float32Array, expected: Float32Array, tol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    if (!(err <= tol * (1 + Math.abs(expected[i])))) {
      throw new Error(`element ${i}: ${actual[i]} vs ${expected[i]}`);
    }
  }
}

describe('spmmRef and spmmFast', () => {
  it('agree with each other and with a dense matmul on the dense copy (property test)', () => {
    const cases = fc.record({
      seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
      rows: fc.integer({ min: 0, max: 40 }),
      cols: fc.integer({ min: 0, max: 40 }),
      batch: fc.integer({ min: 0, max: 3 * SPMM_FAST_TILE + 3 }),
      density: fc.constantFrom(0, 0.02, 0.2, 0.7, 1),
      withBias: fc.boolean(),
      activation: fc.constantFrom<ActivationName>('none', 'gelu', 'relu-clamp'),
    });
    fc.assert(
      fc.property(cases, ({ seed, rows, cols, batch, density, withBias, activation }) => {
        const rng = new Rng(seed);
        const csr = randomCsr(rng, rows, cols, density);
        const x = rng.normalArray(batch * cols);
        const bias = withBias ? rng.normalArray(rows) : null;
        const ref = spmmRef(x, csr, bias, batch, activation, 0.5);
        expectNear(ref, denseRef(x, csr.toDense(), bias, batch, rows, cols, activation, 0.5));
        expectNear(spmmFast(x, csr, bias, batch, activation, 0.5), ref);
      }),
      { numRuns: 150 },
    );
  });

  it('computes a hand-checked product with bias and each activation', () => {
    // W = [[1 0 2] [0 0 0] [0 -3 0]], x = [[1 2 3] [-1 0 1]], bias = [0.5 1 -1].
    const csr = CsrMatrix.fromDense(new Float32Array([1, 0, 2, 0, 0, 0, 0, -3, 0]), 3, 3);
    const x = new Float32Array([1, 2, 3, -1, 0, 1]);
    const bias = new Float32Array([0.5, 1, -1]);
    expect(Array.from(spmmRef(x, csr, bias, 2))).toEqual([7.5, 1, -7, 1.5, 1, -1]);
    expect(Array.from(spmmFast(x, csr, bias, 2, 'relu-clamp', 4))).toEqual([4, 1, 0, 1.5, 1, 0]);
    expect(Array.from(spmmFast(x, csr, null, 2))).toEqual([7, 0, -6, 1, 0, 0]);
    expect(spmmFast(x, csr, bias, 2, 'gelu')[0]).toBeCloseTo(7.5, 5);
  });

  it('overwrites `out` in full, across whole tiles and the remainder', () => {
    const rng = new Rng(3);
    const batch = 2 * SPMM_FAST_TILE + 3;
    const csr = randomCsr(rng, 17, 23, 0.3);
    const x = rng.normalArray(batch * 23);
    const out = new Float32Array(batch * 17).fill(Number.NaN);
    const y = spmmFast(x, csr, null, batch, 'none', 32, out);
    expect(y).toBe(out);
    expectNear(out, spmmRef(x, csr, null, batch));
  });

  it('rejects mismatched shapes with a message', () => {
    const csr = CsrMatrix.fromDense(new Float32Array(6), 2, 3);
    expect(() => spmmRef(new Float32Array(5), csr, null, 2)).toThrow(
      /x has 5 values, expected batch × K = 2×3/,
    );
    expect(() => spmmFast(new Float32Array(6), csr, new Float32Array(3), 2)).toThrow(/bias has 3 values/);
    expect(() => spmmFast(new Float32Array(6), csr, null, 2, 'none', 32, new Float32Array(3))).toThrow(
      /out has 3 values/,
    );
  });
});

describe('CsrSpmm dispatch maths', () => {
  const t = DEFAULT_CSR_TUNING;

  it('counts workgroups per variant', () => {
    expect(csrWorkgroupCount('subgroup', 3072, 64)).toBe(Math.ceil(3072 / t.subgroup.ROWS_PER_WG));
    expect(csrWorkgroupCount('workgroup', 67, 3)).toBe(
      Math.ceil(67 / (t.workgroup.WG / t.workgroup.THREADS_PER_ROW)),
    );
    expect(csrWorkgroupCount('batched', 130, 3)).toBe(Math.ceil(130 / t.batched.WG) * 1);
    expect(csrWorkgroupCount('batched', 130, 64)).toBe(
      Math.ceil(130 / t.batched.WG) * Math.ceil(64 / t.batched.TB),
    );
    expect(csrWorkgroupCount('subgroup', 0, 5)).toBe(0);
    expect(csrWorkgroupCount('batched', 5, 0)).toBe(0);
  });

  it('folds a large grid into x and y, covering every workgroup with the fewest extra', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('subgroup' as const, 'workgroup' as const, 'batched' as const),
        fc.integer({ min: 0, max: 3_000_000 }),
        fc.integer({ min: 0, max: 2048 }),
        fc.integer({ min: 16, max: 65535 }),
        (variant, rows, batch, maxDim) => {
          const total = csrWorkgroupCount(variant, rows, batch);
          if (Math.ceil(total / Math.min(total, maxDim)) > maxDim) return;
          const [gx, gy, gz] = csrDispatchSize(variant, rows, batch, maxDim);
          expect(gz).toBe(1);
          expect(gx).toBeLessThanOrEqual(maxDim);
          expect(gy).toBeLessThanOrEqual(maxDim);
          if (total === 0) {
            expect(gx).toBe(0);
            return;
          }
          expect(gx * gy).toBeGreaterThanOrEqual(total);
          expect(gx * (gy - 1)).toBeLessThan(total);
        },
      ),
    );
    expect(csrDispatchSize('workgroup', 50257, 1, 65535)).toEqual([
      Math.ceil(50257 / (t.workgroup.WG / t.workgroup.THREADS_PER_ROW)),
      1,
      1,
    ]);
    expect(() => csrDispatchSize('batched', 64 * 100_000, 1, 16)).toThrow(/do not fit/);
  });

  it("chooses 'batched' on emulated adapters, row-parallel kernels for small batches on real GPUs", () => {
    for (const batch of [1, 3, 64]) {
      expect(chooseCsrVariant({ batch, subgroups: true, fallbackAdapter: true })).toBe('batched');
    }
    expect(chooseCsrVariant({ batch: 1, subgroups: true, fallbackAdapter: false })).toBe('subgroup');
    expect(chooseCsrVariant({ batch: 1, subgroups: false, fallbackAdapter: false })).toBe('workgroup');
    expect(chooseCsrVariant({ batch: 64, subgroups: true, fallbackAdapter: false })).toBe('batched');
  });

  it('sizes subgroup workgroups from the adapter subgroup size', () => {
    expect(subgroupRowsPerWorkgroup(64, 4)).toBe(32);
    expect(subgroupRowsPerWorkgroup(64, 32)).toBe(4);
    expect(subgroupRowsPerWorkgroup(64, 128)).toBe(2);
    expect(subgroupRowsPerWorkgroup(256, 1)).toBe(64);
    expect(subgroupRowsPerWorkgroup(64, undefined)).toBe(16);
  });

  it('sizes the copy grid', () => {
    expect(copyDispatchSize(1)).toEqual([1, 1, 1]);
    expect(copyDispatchSize(256 * 10)).toEqual([10, 1, 1]);
    expect(copyDispatchSize(64 << 20)[0]).toBeLessThanOrEqual(65535);
  });
});
