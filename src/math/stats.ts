// Order statistics shared by every measurement (the protocol in src/engine/measure.ts, the benchmarks in
// src/bench, the scene's frame statistics). Pure.
import type { Spread } from '../contracts';

/** Percentile with linear interpolation between closest ranks (numpy's default). p in [0, 100]. */
export function percentile(values: readonly number[], p: number): number {
  const xs = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (xs.length === 0) return Number.NaN;
  const rank = (Math.min(Math.max(p, 0), 100) / 100) * (xs.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return xs[lo] + (xs[hi] - xs[lo]) * (rank - lo);
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** dense / sparse of the median totals, and whether their p10–p90 ranges are apart (a clear difference). */
export function compareTotals(dense: Spread, sparse: Spread): { ratio: number; clear: boolean } {
  const ratio = dense.ms / sparse.ms;
  const clear = dense.p10 > sparse.p90 || sparse.p10 > dense.p90;
  return { ratio, clear };
}
