import { describe, expect, it } from 'vitest';
import {
  crossoverDensity,
  gbps,
  gflops,
  matmulBytes,
  matmulFlops,
  median,
  percentile,
  summarize,
} from '../../src/bench/stats';

describe('percentiles', () => {
  it('match numpy linear interpolation', () => {
    const xs = [5, 1, 4, 2, 3];
    expect(median(xs)).toBe(3);
    expect(percentile(xs, 10)).toBeCloseTo(1.4, 12); // numpy.percentile([1..5], 10) = 1.4
    expect(percentile(xs, 90)).toBeCloseTo(4.6, 12);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentile([7], 10)).toBe(7);
  });

  it('ignore NaN samples (dropped timer readings) and report how many were used', () => {
    const s = summarize([2, Number.NaN, 4, 3]);
    expect(s).toEqual({ medianMs: 3, p10Ms: 2.2, p90Ms: 3.8, samples: 3 });
    expect(Number.isNaN(median([]))).toBe(true);
  });
});

describe('roofline arithmetic', () => {
  it('counts dense and sparse flops', () => {
    expect(matmulFlops('dense', 768, 3072, 64, 0)).toBe(2 * 768 * 3072 * 64);
    expect(matmulFlops('sparse', 768, 3072, 64, 1000)).toBe(2 * 1000 * 64);
  });

  it('counts compulsory bytes', () => {
    // dense: W 4·N·K, x 4·B·K, y 4·B·N, bias 4·N
    expect(matmulBytes('dense', 2, 3, 1, 0)).toBe(24 + 12 + 8 + 8);
    // sparse: rowPtr 4·(N+1), colIdx + values 8·nnz, x, y, bias
    expect(matmulBytes('sparse', 2, 3, 1, 4, false)).toBe(12 + 32 + 12 + 8);
  });

  it('converts to GFLOP/s and GB/s', () => {
    expect(gflops(2e9, 1000)).toBe(2);
    expect(gbps(3e6, 1)).toBe(3);
    expect(Number.isNaN(gflops(1, 0))).toBe(true);
  });
});

describe('crossoverDensity', () => {
  it('interpolates in log density where the speedup crosses 1', () => {
    const d = crossoverDensity([
      { density: 1 / 64, speedup: 8 },
      { density: 1 / 16, speedup: 2 },
      { density: 1 / 4, speedup: 0.5 },
      { density: 1, speedup: 0.1 },
    ]);
    // between 1/16 (log2 speedup +1) and 1/4 (−1): the geometric midpoint, 1/8
    expect(d).toBeCloseTo(1 / 8, 10);
  });

  it('returns null when sparse always wins or always loses', () => {
    expect(
      crossoverDensity([
        { density: 0.1, speedup: 3 },
        { density: 1, speedup: 2 },
      ]),
    ).toBeNull();
    expect(crossoverDensity([{ density: 0.1, speedup: 0.3 }])).toBeNull();
  });
});
