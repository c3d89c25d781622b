// The WebAssembly SIMD CSR kernel (src/math/wasm/spmm.wat) against spmmRef: batch tiles of 32 and 4 and
// their padding, N and K not multiples of 4, empty rows, bias, activations, resident matrices.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ActivationName } from '../../src/math/activations';
import { CsrMatrix } from '../../src/math/csr';
import { Rng } from '../../src/math/rng';
import { spmmRef } from '../../src/math/spmm';
import { isResident, releaseResident } from '../../src/math/wasm/heap';
import { keepCsrResident, spmmWasm, wasmSpmmAvailable } from '../../src/math/wasm/spmmWasm';

const ACTIVATIONS: ActivationName[] = ['none', 'gelu', 'relu-clamp'];

/** A random CSR matrix; some rows may be empty. Values in [−1, 1). */
function randomCsr(rng: Rng, rows: number, cols: number, density: number): CsrMatrix {
  const dense = new Float32Array(rows * cols);
  for (let i = 0; i < dense.length; i++) if (rng.next() < density) dense[i] = 2 * rng.next() - 1;
  return CsrMatrix.fromDense(dense, rows, cols);
}

/**
 * f32 sums in CSR order vs spmmRef's f64: |Δ| ≤ 1e-5·√(max row nnz)·max|x| + 1e-6·|ref| (|w| < 1), plus
 * for GELU the SIMD form's 2.4e-7·|pre-activation| (tests/unit/gemmWasm.test.ts).
 */
function expectMatchesRef(
  y: Float32Array,
  x: Float32Array,
  csr: CsrMatrix,
  bias: Float32Array | null,
  batch: number,
  activation: ActivationName,
  clampMax: number,
): void {
  const ref = spmmRef(x, csr, bias, batch, activation, clampMax);
  const pre = activation === 'gelu' ? spmmRef(x, csr, bias, batch) : null;
  let rowMax = 0;
  for (let n = 0; n < csr.rows; n++) rowMax = Math.max(rowMax, csr.rowPtr[n + 1] - csr.rowPtr[n]);
  const atol = 1e-5 * Math.sqrt(rowMax) * x.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  expect(y.length).toBe(ref.length);
  for (let i = 0; i < ref.length; i++) {
    const geluTol = pre ? 2.4e-7 * Math.abs(pre[i]) : 0;
    if (!(Math.abs(y[i] - ref[i]) <= atol + 1e-6 * Math.abs(ref[i]) + geluTol)) {
      throw new Error(`${batch}×${csr.rows}×${csr.cols} ${activation}: y[${i}] = ${y[i]}, spmmRef ${ref[i]}`);
    }
  }
}

describe('WebAssembly SIMD CSR kernel', () => {
  it('is available in this Node, so the tests below exercise it', () => {
    expect(wasmSpmmAvailable()).toBe(true);
  });

  it('matches spmmRef on random shapes, densities, batches across the 32- and 4-row tiles (property test)', () => {
    const cases = fc.record({
      seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
      rows: fc.integer({ min: 0, max: 23 }),
      cols: fc.integer({ min: 0, max: 23 }),
      batch: fc.integer({ min: 0, max: 75 }),
      density: fc.constantFrom(0, 0.05, 0.3, 1),
      withBias: fc.boolean(),
      activation: fc.constantFrom(...ACTIVATIONS),
      clampMax: fc.constantFrom(0.5, 32),
    });
    fc.assert(
      fc.property(cases, ({ seed, rows, cols, batch, density, withBias, activation, clampMax }) => {
        const rng = new Rng(seed);
        const csr = randomCsr(rng, rows, cols, density);
        const x = rng.uniformArray(batch * cols, -3, 3);
        const bias = withBias ? rng.uniformArray(rows) : null;
        const out = new Float32Array(batch * rows).fill(Number.NaN);
        const y = spmmWasm(x, csr, bias, batch, activation, clampMax, out);
        expect(y).toBe(out);
        expectMatchesRef(y, x, csr, bias, batch, activation, clampMax);
      }),
      { numRuns: 200 },
    );
  });

  it('matches spmmRef at a GPT-2 layer shape, batch 67 (two 32-row tiles and a padded 4-row one)', () => {
    const rng = new Rng((Math.random() * 2 ** 31) >>> 0);
    const csr = randomCsr(rng, 3072, 768, 1 / 64);
    const x = rng.uniformArray(67 * 768);
    const bias = rng.uniformArray(3072);
    const out = new Float32Array(67 * 3072).fill(Number.NaN);
    expectMatchesRef(
      spmmWasm(x, csr, bias, 67, 'relu-clamp', 0.25, out),
      x,
      csr,
      bias,
      67,
      'relu-clamp',
      0.25,
    );
  });

  it('gives the same bits with the matrix resident, and rejects malformed calls like spmmFast', () => {
    const rng = new Rng(9);
    const csr = randomCsr(rng, 37, 29, 0.2);
    const x = rng.uniformArray(6 * 29);
    const copied = spmmWasm(x, csr, null, 6, 'gelu');
    expect(keepCsrResident(csr)).toBe(true);
    expect(isResident(csr)).toBe(true);
    expect(Array.from(spmmWasm(x, csr, null, 6, 'gelu'))).toEqual(Array.from(copied));
    releaseResident();
    expect(() => spmmWasm(x, csr, null, 5)).toThrow(/x has/);
    expect(() => spmmWasm(x, csr, new Float32Array(3), 6)).toThrow(/bias/);
    expect(() => spmmWasm(x, csr, null, 6, 'none', 32, new Float32Array(5))).toThrow(/out/);
  });
});
