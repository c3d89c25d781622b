// Layer norm forward (saving the row statistics) and backward. Same arithmetic as src/math/norm.ts
// (f64 statistics, biased variance, out = (x − mean)·rstd·g + b), so the training forward agrees with
// forwardCpu bit for bit.
//   x̂ = (x − μ)·rstd,  y = x̂·g + b
//   dg = Σ_r dy·x̂,  db = Σ_r dy,  dx = rstd·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)),  dx̂ = dy·g

import type { Floats } from './floats';

/** Per-row statistics saved by the forward for the backward: (rows) each. */
export interface LayerNormStats {
  mean: Float64Array;
  rstd: Float64Array;
}

/** x, out: (rows, d); g, b: (d). Returns the saved statistics (filled into `stats` when given). */
export function layerNormForward(
  x: Floats,
  g: Floats,
  b: Floats,
  rows: number,
  d: number,
  eps: number,
  out: Floats,
  stats: LayerNormStats = { mean: new Float64Array(rows), rstd: new Float64Array(rows) },
): LayerNormStats {
  for (let r = 0; r < rows; r++) {
    const base = r * d;
    let mean = 0;
    for (let i = 0; i < d; i++) mean += x[base + i];
    mean /= d;
    let variance = 0;
    for (let i = 0; i < d; i++) {
      const c = x[base + i] - mean;
      variance += c * c;
    }
    const inv = 1 / Math.sqrt(variance / d + eps);
    for (let i = 0; i < d; i++) out[base + i] = (x[base + i] - mean) * inv * g[i] + b[i];
    stats.mean[r] = mean;
    stats.rstd[r] = inv;
  }
  return stats;
}

/**
 * Backward of layerNormForward. dy, x: (rows, d). ADDS the input gradient into `dx` (the residual
 * stream's gradient already holds the skip path's share); overwrites dg, db (d).
 */
export function layerNormBackward(
  dy: Floats,
  x: Floats,
  g: Floats,
  stats: LayerNormStats,
  rows: number,
  d: number,
  dx: Floats,
  dg: Floats,
  db: Floats,
): void {
  dg.fill(0);
  db.fill(0);
  for (let r = 0; r < rows; r++) {
    const base = r * d;
    const mean = stats.mean[r];
    const rstd = stats.rstd[r];
    let sumDxhat = 0;
    let sumDxhatXhat = 0;
    for (let i = 0; i < d; i++) {
      const xhat = (x[base + i] - mean) * rstd;
      const dxhat = dy[base + i] * g[i];
      sumDxhat += dxhat;
      sumDxhatXhat += dxhat * xhat;
      dg[i] += dy[base + i] * xhat;
      db[i] += dy[base + i];
    }
    const meanDxhat = sumDxhat / d;
    const meanDxhatXhat = sumDxhatXhat / d;
    for (let i = 0; i < d; i++) {
      const xhat = (x[base + i] - mean) * rstd;
      const dxhat = dy[base + i] * g[i];
      dx[base + i] += rstd * (dxhat - meanDxhat - xhat * meanDxhatXhat);
    }
  }
}
