// Statistics and roofline arithmetic for benchmarks. Pure: shared by the CLI, the app and the tests.
import type { Spread } from '../contracts';
import { compareTotals, median, percentile } from '../math/stats';

// The order statistics live in src/math/stats.ts (the measurement protocol in src/engine uses them too).
export { median, percentile };

export interface Summary {
  medianMs: number;
  p10Ms: number;
  p90Ms: number;
  samples: number;
}

export function summarize(samplesMs: readonly number[]): Summary {
  return {
    medianMs: median(samplesMs),
    p10Ms: percentile(samplesMs, 10),
    p90Ms: percentile(samplesMs, 90),
    samples: samplesMs.filter((v) => Number.isFinite(v)).length,
  };
}

/**
 * Whether two benchmark summaries differ clearly (their p10–p90 ranges are apart) and the ratio
 * `reference / other` of their medians: the protocol's own rule (compareTotals), for the bench scripts.
 */
export function compareSummaries(reference: Summary, other: Summary): { ratio: number; clear: boolean } {
  const spread = (s: Summary): Spread => ({ ms: s.medianMs, p10: s.p10Ms, p90: s.p90Ms, samples: s.samples });
  return compareTotals(spread(reference), spread(other));
}

/** Useful floating-point work of y (B×N) = x (B×K)·Wᵀ: dense 2·N·K·B, sparse 2·nnz·B. */
export function matmulFlops(
  path: 'dense' | 'sparse',
  n: number,
  k: number,
  batch: number,
  nnz: number,
): number {
  return path === 'dense' ? 2 * n * k * batch : 2 * nnz * batch;
}

/**
 * Bytes a kernel must move at least once (f32 values, u32 indices): the weights (dense N·K values, or CSR
 * rowPtr + colIdx + values), the input x read once, the output y written once, and the bias.
 */
export function matmulBytes(
  path: 'dense' | 'sparse',
  n: number,
  k: number,
  batch: number,
  nnz: number,
  bias = true,
): number {
  const weights = path === 'dense' ? 4 * n * k : 4 * (n + 1) + 8 * nnz;
  return weights + 4 * batch * k + 4 * batch * n + (bias ? 4 * n : 0);
}

export function gflops(flops: number, ms: number): number {
  return ms > 0 ? flops / (ms * 1e6) : Number.NaN;
}

export function gbps(bytes: number, ms: number): number {
  return ms > 0 ? bytes / (ms * 1e6) : Number.NaN;
}

/**
 * Density at which sparse stops beating dense: speedup = denseMs / sparseMs crosses 1, interpolated linearly
 * in log(density). Points in any order; null when the speedup never crosses 1 in the range.
 */
export function crossoverDensity(points: readonly { density: number; speedup: number }[]): number | null {
  const xs = points
    .filter((p) => p.density > 0 && Number.isFinite(p.speedup) && p.speedup > 0)
    .sort((a, b) => a.density - b.density);
  for (let i = 0; i + 1 < xs.length; i++) {
    const a = xs[i];
    const b = xs[i + 1];
    const la = Math.log(a.speedup);
    const lb = Math.log(b.speedup);
    if (la === 0) return a.density;
    if ((la > 0 && lb <= 0) || (la < 0 && lb >= 0)) {
      if (lb === 0) return b.density;
      const t = la / (la - lb);
      return Math.exp(Math.log(a.density) + t * (Math.log(b.density) - Math.log(a.density)));
    }
  }
  return null;
}
