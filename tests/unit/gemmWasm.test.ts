// The WebAssembly SIMD dense kernel (src/math/wasm) against matmulRef, its resident-weight cache, the
// dispatch in matmulFast, and that the committed gemm.wasm.ts is what gemm.wat assembles to.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildModule, modulePath, WASM_MODULES } from '../../scripts/build-wasm';
import { type ActivationName, gelu } from '../../src/math/activations';
import { denseCpuKernel, matmulFast, matmulJs, matmulRef, WASM_MIN_MACS } from '../../src/math/matmul';
import { Rng } from '../../src/math/rng';
import {
  geluInWasmMemory,
  isResident,
  keepResident,
  matmulWasm,
  releaseResident,
  rowsPerBlock,
  setResidentBudget,
  wasmGemmAvailable,
  wasmMemoryBytes,
  wasmSimdSupported,
} from '../../src/math/wasm/gemmWasm';
import { ensureMemory, scratchBase } from '../../src/math/wasm/heap';

const ACTIVATIONS: ActivationName[] = ['none', 'gelu', 'relu-clamp'];

const maxAbs = (a: Float32Array) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/**
 * f32 accumulation in another order than matmulRef's f64 sum: |Δ| ≤ 1e-5·√K·max|x|·max|w| + 1e-6·|ref|
 * (the second term covers the final rounding of large outputs and of the bias), plus for GELU the SIMD
 * form's own error, 2.4e-7·|pre-activation| (see the GELU test). Elements past batch·n must be left as
 * they were (NaN-poisoned here).
 */
function expectMatchesRef(
  y: Float32Array,
  x: Float32Array,
  w: Float32Array,
  bias: Float32Array | null,
  batch: number,
  n: number,
  k: number,
  activation: ActivationName,
  clampMax: number,
): void {
  const ref = matmulRef(x, w, bias, batch, n, k, activation, clampMax);
  const pre = activation === 'gelu' ? matmulRef(x, w, bias, batch, n, k) : null;
  const atol = 1e-5 * Math.sqrt(k) * maxAbs(x.subarray(0, batch * k)) * maxAbs(w.subarray(0, n * k));
  for (let i = 0; i < batch * n; i++) {
    const err = Math.abs(y[i] - ref[i]);
    const geluTol = pre ? 2.4e-7 * Math.abs(pre[i]) : 0;
    if (!(err <= atol + 1e-6 * Math.abs(ref[i]) + geluTol)) {
      throw new Error(
        `${batch}×${n}×${k} ${activation}: y[${i}] = ${y[i]}, matmulRef ${ref[i]}, atol ${atol}`,
      );
    }
  }
  for (let i = batch * n; i < y.length; i++) expect(y[i]).toBeNaN();
}

function inputs(rng: Rng, batch: number, n: number, k: number, withBias: boolean, scale = 1) {
  return {
    x: rng.uniformArray(batch * k, -scale, scale),
    w: rng.uniformArray(n * k, -1, 1),
    bias: withBias ? rng.uniformArray(n, -1, 1) : null,
  };
}

describe('WebAssembly SIMD dense kernel', () => {
  it('is available in this Node, so the tests below exercise the wasm path', () => {
    expect(wasmSimdSupported()).toBe(true);
    expect(wasmGemmAvailable()).toBe(true);
    expect(denseCpuKernel()).toBe('wasm-simd');
  });

  it('matches matmulRef on edge shapes: 1×1, K mod 4 ≠ 0, odd B, N mod 4 = 1..3, K = 0', () => {
    const rng = new Rng((Math.random() * 2 ** 31) >>> 0);
    const shapes = [
      [1, 1, 1],
      [1, 1, 4],
      [2, 4, 4],
      [3, 5, 7],
      [5, 6, 3],
      [1, 7, 9],
      [4, 4, 2],
      [7, 13, 33],
      [64, 67, 129],
      [2, 3, 0],
      [1, 9, 768],
    ];
    for (const [batch, n, k] of shapes) {
      for (const withBias of [false, true]) {
        for (const activation of ACTIVATIONS) {
          const { x, w, bias } = inputs(rng, batch, n, k, withBias, 2);
          const out = new Float32Array(batch * n + 3).fill(Number.NaN);
          const y = matmulWasm(x, w, bias, batch, n, k, activation, 0.75, out);
          expect(y).toBe(out);
          expectMatchesRef(y, x, w, bias, batch, n, k, activation, 0.75);
        }
      }
    }
  });

  it('matches matmulRef on random shapes, bias or not, every activation (property test)', () => {
    const cases = fc.record({
      seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
      batch: fc.integer({ min: 0, max: 20 }),
      n: fc.integer({ min: 0, max: 23 }),
      k: fc.integer({ min: 0, max: 70 }),
      withBias: fc.boolean(),
      activation: fc.constantFrom(...ACTIVATIONS),
      clampMax: fc.constantFrom(0.5, 1, 32),
    });
    fc.assert(
      fc.property(cases, ({ seed, batch, n, k, withBias, activation, clampMax }) => {
        const { x, w, bias } = inputs(new Rng(seed), batch, n, k, withBias, 3);
        const out = new Float32Array(batch * n + 1).fill(Number.NaN);
        expectMatchesRef(
          matmulWasm(x, w, bias, batch, n, k, activation, clampMax, out),
          x,
          w,
          bias,
          batch,
          n,
          k,
          activation,
          clampMax,
        );
      }),
      { numRuns: 150 },
    );
  });

  it('crosses batch blocks: several blocks plus a remainder, and one-row blocks at huge K', () => {
    const rng = new Rng(7);
    expect(rowsPerBlock(2000)).toBe(32);
    expect(rowsPerBlock(70_000)).toBe(1);
    for (const [batch, n, k] of [
      [71, 6, 2000],
      [3, 5, 70_000],
    ]) {
      const { x, w, bias } = inputs(rng, batch, n, k, true);
      const out = new Float32Array(batch * n).fill(Number.NaN);
      expectMatchesRef(
        matmulWasm(x, w, bias, batch, n, k, 'none', 32, out),
        x,
        w,
        bias,
        batch,
        n,
        k,
        'none',
        32,
      );
    }
  });

  it('reads only the first batch·K / N·K / N values of longer inputs', () => {
    const rng = new Rng(3);
    const [batch, n, k] = [3, 6, 10];
    const x = rng.uniformArray(batch * k + 5);
    const w = rng.uniformArray(n * k + 7);
    const bias = rng.uniformArray(n + 2);
    const out = new Float32Array(batch * n + 4).fill(Number.NaN);
    matmulWasm(x, w, bias, batch, n, k, 'gelu', 32, out);
    expectMatchesRef(
      out,
      x.subarray(0, batch * k),
      w.subarray(0, n * k),
      bias.subarray(0, n),
      batch,
      n,
      k,
      'gelu',
      32,
    );
  });

  it('GELU (rational tanh, f32) is within 2.4e-7·|x| + 1e-6·|gelu(x)| of activations.gelu on [−12, 12]', () => {
    const rng = new Rng((Math.random() * 2 ** 31) >>> 0);
    const count = 20_003; // not a multiple of 4: the scalar tail runs too
    const xs = new Float32Array(count);
    for (let i = 0; i < count; i++)
      xs[i] = i < 10_000 ? -12 + (24 * i) / 9_999 : rng.uniformArray(1, -12, 12)[0];
    const ptr = scratchBase();
    ensureMemory(ptr + count * 4).f32.set(xs, ptr >> 2);
    geluInWasmMemory(ptr, count);
    const out = ensureMemory(0).f32.subarray(ptr >> 2, (ptr >> 2) + count);
    for (let i = 0; i < count; i++) {
      const ref = gelu(xs[i]);
      if (!(Math.abs(out[i] - ref) <= 2.4e-7 * Math.abs(xs[i]) + 1e-6 * Math.abs(ref))) {
        throw new Error(`gelu(${xs[i]}) = ${out[i]}, activations.gelu ${ref}`);
      }
    }
  });

  it('rejects malformed calls like matmulRef', () => {
    const a = new Float32Array(6);
    expect(() => matmulWasm(a, a, null, 2, 2, 4)).toThrow(RangeError);
    expect(() => matmulWasm(a, a, new Float32Array(1), 1, 2, 3)).toThrow(/bias/);
    expect(() => matmulWasm(a, a, null, 1, 2, 3, 'none', 32, new Float32Array(1))).toThrow(/out/);
    expect(() => matmulWasm(a, a, null, -1, 2, 3)).toThrow(/batch/);
  });
});

describe('resident weights', () => {
  it('give the same bits as a per-call copy, survive memory growth, and can be released', () => {
    const rng = new Rng(11);
    const [batch, n, k] = [5, 30, 41];
    const { x, w, bias } = inputs(rng, batch, n, k, true);
    const copied = matmulWasm(x, w, bias, batch, n, k, 'relu-clamp', 0.5);
    expect(keepResident(w)).toBe(true);
    expect(isResident(w)).toBe(true);
    expect(Array.from(matmulWasm(x, w, bias, batch, n, k, 'relu-clamp', 0.5))).toEqual(Array.from(copied));
    // A product big enough to grow the memory (new ArrayBuffer): the resident copy must still be right.
    const before = wasmMemoryBytes();
    const big = inputs(rng, 2, 1500, 3000, false);
    matmulWasm(big.x, big.w, null, 2, 1500, 3000);
    expect(wasmMemoryBytes()).toBeGreaterThan(before);
    expect(Array.from(matmulWasm(x, w, bias, batch, n, k, 'relu-clamp', 0.5))).toEqual(Array.from(copied));
    // The promise not to mutate is the caller's: a mutated resident array still gives the old result...
    w[0] += 1;
    expect(Array.from(matmulWasm(x, w, bias, batch, n, k, 'relu-clamp', 0.5))).toEqual(Array.from(copied));
    // ...until it is released, after which the new values are copied per call.
    releaseResident(w);
    expect(isResident(w)).toBe(false);
    const out = new Float32Array(batch * n).fill(Number.NaN);
    expectMatchesRef(
      matmulWasm(x, w, bias, batch, n, k, 'relu-clamp', 0.5, out),
      x,
      w,
      bias,
      batch,
      n,
      k,
      'relu-clamp',
      0.5,
    );
    releaseResident();
  });

  it('stay within the budget: a weight that does not fit is refused and still computed correctly', () => {
    const rng = new Rng(12);
    setResidentBudget(4096);
    try {
      const small = rng.uniformArray(16 * 60); // 3840 bytes: fits
      const large = rng.uniformArray(16 * 80); // 5120 bytes: does not
      expect(keepResident(small)).toBe(true);
      expect(keepResident(large)).toBe(false);
      expect(isResident(large)).toBe(false);
      const x = rng.uniformArray(3 * 80);
      const out = new Float32Array(3 * 16).fill(Number.NaN);
      expectMatchesRef(
        matmulWasm(x, large, null, 3, 16, 80, 'none', 32, out),
        x,
        large,
        null,
        3,
        16,
        80,
        'none',
        32,
      );
    } finally {
      releaseResident();
      setResidentBudget(256 * 1024 * 1024);
    }
  });
});

describe('matmulFast dispatch', () => {
  it('takes the wasm kernel from WASM_MIN_MACS multiply-adds up and the JS kernel below', () => {
    const rng = new Rng(5);
    const small = inputs(rng, 1, 3, 5, true); // 15 MACs
    expect(1 * 3 * 5).toBeLessThan(WASM_MIN_MACS);
    expect(Array.from(matmulFast(small.x, small.w, small.bias, 1, 3, 5, 'gelu'))).toEqual(
      Array.from(matmulJs(small.x, small.w, small.bias, 1, 3, 5, 'gelu')),
    );
    const [batch, n, k] = [9, 33, 77];
    expect(batch * n * k).toBeGreaterThanOrEqual(WASM_MIN_MACS);
    const large = inputs(rng, batch, n, k, true);
    const fast = matmulFast(large.x, large.w, large.bias, batch, n, k, 'gelu');
    expect(Array.from(fast)).toEqual(
      Array.from(matmulWasm(large.x, large.w, large.bias, batch, n, k, 'gelu')),
    );
    const out = new Float32Array(batch * n).fill(Number.NaN);
    expectMatchesRef(
      matmulFast(large.x, large.w, large.bias, batch, n, k, 'gelu', 32, out),
      large.x,
      large.w,
      large.bias,
      batch,
      n,
      k,
      'gelu',
      32,
    );
  });
});

describe('generated modules', () => {
  for (const spec of WASM_MODULES) {
    it(`src/math/wasm/${spec.module} is what scripts/build-wasm.ts assembles from ${spec.wat}`, async () => {
      const committed = readFileSync(modulePath(spec), 'utf8');
      expect(
        committed.startsWith(`// generated by scripts/build-wasm.ts from ${spec.wat} — do not edit`),
      ).toBe(true);
      // If this fails: npx tsx scripts/build-wasm.ts
      expect(committed).toBe(await buildModule(spec));
    });
  }
});
