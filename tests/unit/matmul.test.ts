import { describe, expect, it } from 'vitest';
import {
  chooseDenseVariant,
  DEFAULT_DENSE_TUNING,
  type DenseTuning,
  type DenseVariant,
  denseDispatchSize,
  denseTuningFor,
  FALLBACK_DENSE_TUNING,
  tiledTile,
} from '../../src/gpu/kernels/matmul';
import type { ActivationName } from '../../src/math/activations';
import { matmulFast, matmulJs, matmulRef } from '../../src/math/matmul';
import { Rng } from '../../src/math/rng';

const rng = new Rng(42);

/** f32-accumulation tolerance for inputs in [-1, 1]: |a − e| ≤ 1e-5·√K + 1e-6·|e|. */
function expectNear(actual: Float32Array, expected: Float32Array, k: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const bound = 1e-5 * Math.sqrt(k) + 1e-6 * Math.abs(expected[i]);
    if (!(Math.abs(actual[i] - expected[i]) <= bound)) {
      throw new Error(`element ${i}: got ${actual[i]}, expected ${expected[i]} (bound ${bound})`);
    }
  }
}

describe('matmulRef', () => {
  it('computes x·Wᵀ + bias for a hand-checked example, W stored out×in', () => {
    const x = new Float32Array([1, 2, 3, 4, 5, 6]); // 2×3
    const w = new Float32Array([1, 0, -1, 2, 1, 0.5]); // 2×3: rows are outputs
    const bias = new Float32Array([10, -1]);
    // row 0: [1−3, 2+2+1.5] + bias = [8, 4.5]; row 1: [4−6, 8+5+3] + bias = [8, 15]
    expect(Array.from(matmulRef(x, w, bias, 2, 2, 3))).toEqual([8, 4.5, 8, 15]);
    expect(Array.from(matmulRef(x, w, bias, 2, 2, 3, 'relu-clamp', 9))).toEqual([8, 4.5, 8, 9]);
    expect(Array.from(matmulRef(x, w, null, 2, 2, 3, 'relu-clamp'))).toEqual([0, 5.5, 0, 16]);
  });

  it('rejects inputs shorter than the shape', () => {
    const a = new Float32Array(6);
    expect(() => matmulRef(a, a, null, 2, 2, 4)).toThrow(/x has 6/);
    expect(() => matmulRef(a, a, new Float32Array(1), 1, 2, 3)).toThrow(/bias/);
    expect(() => matmulRef(a, a, null, 1.5, 2, 3)).toThrow(/batch/);
  });
});

describe('matmulJs and matmulFast', () => {
  // Batches around the 3-row micro-kernel, columns around the 4-wide register block and the 64-column
  // cache block, K from 1 up.
  const batches = [1, 2, 3, 4, 5, 7];
  const ns = [1, 3, 4, 5, 63, 64, 65, 131];
  const ks = [1, 2, 17, 64, 100];

  it('matmulJs equals matmulRef bit for bit (no activation, odd shapes, ± bias); matmulFast is close', () => {
    let cases = 0;
    for (const batch of batches) {
      for (const n of ns) {
        for (const k of ks) {
          const x = rng.uniformArray(batch * k);
          const w = rng.uniformArray(n * k);
          const bias = cases % 2 === 0 ? rng.uniformArray(n) : null;
          const expected = matmulRef(x, w, bias, batch, n, k);
          const actual = matmulJs(x, w, bias, batch, n, k);
          expect(actual.length).toBe(batch * n);
          // Same f64 summation order (bias, then k = 0…K−1), so the f32 results are identical.
          expect(Array.from(actual)).toEqual(Array.from(expected));
          // matmulFast may take the WebAssembly path (f32 accumulation): close, not identical.
          expectNear(matmulFast(x, w, bias, batch, n, k), expected, k);
          cases++;
        }
      }
    }
    expect(cases).toBe(batches.length * ns.length * ks.length);
  });

  it('both apply each activation like matmulRef (64×130·130×200, the batch/N tails included)', () => {
    const [batch, n, k] = [64, 200, 130];
    const x = rng.uniformArray(batch * k);
    const w = rng.uniformArray(n * k, -0.3, 0.3);
    const bias = rng.uniformArray(n);
    const activations: [ActivationName, number][] = [
      ['none', 32],
      ['gelu', 32],
      ['relu-clamp', 0.5],
    ];
    for (const [activation, clampMax] of activations) {
      const expected = matmulRef(x, w, bias, batch, n, k, activation, clampMax);
      const actual = matmulJs(x, w, bias, batch, n, k, activation, clampMax);
      for (let i = 0; i < expected.length; i++) {
        expect(Math.abs(actual[i] - expected[i])).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(expected[i])));
      }
      if (activation === 'relu-clamp') expect(Math.max(...actual)).toBe(0.5);
      expectNear(matmulFast(x, w, bias, batch, n, k, activation, clampMax), expected, k);
    }
  });

  it('write into `out` when given one, and reject one that is too short', () => {
    const x = rng.uniformArray(3 * 5);
    const w = rng.uniformArray(4 * 5);
    for (const kernel of [matmulJs, matmulFast]) {
      const out = new Float32Array(12).fill(Number.NaN);
      expect(kernel(x, w, null, 3, 4, 5, 'none', 32, out)).toBe(out);
      expectNear(out, matmulRef(x, w, null, 3, 4, 5), 5);
      expect(() => kernel(x, w, null, 3, 4, 5, 'none', 32, new Float32Array(11))).toThrow(/out/);
    }
  });
});

describe('chooseDenseVariant', () => {
  it("'auto' picks GEMV for batches of 1–2 and the tiled kernel above, vec4 loads when K % 4 == 0", () => {
    expect(chooseDenseVariant({ batch: 1, n: 768, k: 768 })).toBe('gemv-vec4');
    expect(chooseDenseVariant({ batch: 2, n: 768, k: 45 })).toBe('gemv-scalar');
    expect(chooseDenseVariant({ batch: 3, n: 768, k: 768 })).toBe('tiled-vec4');
    expect(chooseDenseVariant({ batch: 64, n: 67, k: 45 })).toBe('tiled-scalar');
  });

  it('honours an explicit family or kernel, and refuses vec4 loads when K % 4 != 0', () => {
    expect(chooseDenseVariant({ batch: 1, n: 8, k: 8 }, 'tiled')).toBe('tiled-vec4');
    expect(chooseDenseVariant({ batch: 64, n: 8, k: 9 }, 'gemv')).toBe('gemv-scalar');
    expect(chooseDenseVariant({ batch: 64, n: 8, k: 8 }, 'naive')).toBe('naive');
    expect(chooseDenseVariant({ batch: 64, n: 8, k: 8 }, 'tiled-scalar')).toBe('tiled-scalar');
    expect(() => chooseDenseVariant({ batch: 1, n: 8, k: 9 }, 'gemv-vec4')).toThrow(/K % 4/);
  });
});

describe('denseDispatchSize', () => {
  it('gives the expected grids at GPT-2 shapes for the real-GPU tuning', () => {
    const t = DEFAULT_DENSE_TUNING; // 64×64 tiles, GEMV 8 columns per workgroup, naive 64 per workgroup
    expect(tiledTile(t)).toEqual({ bm: 64, bn: 64 });
    expect(denseDispatchSize({ batch: 64, n: 3072, k: 768 }, 'tiled-vec4', t)).toEqual([48, 1, 1]);
    expect(denseDispatchSize({ batch: 65, n: 3073, k: 768 }, 'tiled-scalar', t)).toEqual([49, 2, 1]);
    expect(denseDispatchSize({ batch: 1, n: 768, k: 3072 }, 'gemv-vec4', t)).toEqual([96, 1, 1]);
    expect(denseDispatchSize({ batch: 3, n: 769, k: 5 }, 'gemv-scalar', t)).toEqual([97, 3, 1]);
    expect(denseDispatchSize({ batch: 64, n: 3072, k: 768 }, 'naive', t)).toEqual([48, 64, 1]);
  });

  it('uses the fallback tuning for CPU-emulated adapters', () => {
    expect(denseTuningFor(true)).toBe(FALLBACK_DENSE_TUNING);
    expect(denseTuningFor(false)).toBe(DEFAULT_DENSE_TUNING);
    const t = FALLBACK_DENSE_TUNING; // 32×32 tiles, GEMV 64 columns per workgroup
    expect(tiledTile(t)).toEqual({ bm: 32, bn: 32 });
    expect(denseDispatchSize({ batch: 64, n: 3072, k: 768 }, 'tiled-vec4', t)).toEqual([96, 2, 1]);
    expect(denseDispatchSize({ batch: 1, n: 768, k: 768 }, 'gemv-vec4', t)).toEqual([12, 1, 1]);
  });

  it('covers every output with no workgroup wholly past the edge, for random shapes and both tunings', () => {
    const variants: DenseVariant[] = ['tiled-vec4', 'tiled-scalar', 'gemv-vec4', 'gemv-scalar', 'naive'];
    const tile = (t: DenseTuning, v: DenseVariant): [number, number] =>
      v.startsWith('tiled')
        ? [4 * t.tiled.RN * t.tiled.TX, 4 * t.tiled.RM * t.tiled.TY]
        : v.startsWith('gemv')
          ? [t.gemv.ROWS, 1]
          : [t.naive.WG, 1];
    const odd: DenseTuning = { ...DEFAULT_DENSE_TUNING, tiled: { TX: 8, TY: 2, RM: 1, RN: 2, BK: 4 } };
    for (const t of [DEFAULT_DENSE_TUNING, FALLBACK_DENSE_TUNING, odd]) {
      for (let i = 0; i < 200; i++) {
        const shape = { batch: 1 + rng.int(300), n: 1 + rng.int(5000), k: 1 + rng.int(100) };
        for (const v of variants) {
          const [gx, gy, gz] = denseDispatchSize(shape, v, t);
          const [cols, rows] = tile(t, v);
          expect(gz).toBe(1);
          expect(gx * cols).toBeGreaterThanOrEqual(shape.n);
          expect((gx - 1) * cols).toBeLessThan(shape.n);
          expect(gy * rows).toBeGreaterThanOrEqual(shape.batch);
          expect((gy - 1) * rows).toBeLessThan(shape.batch);
        }
      }
    }
  });
});
