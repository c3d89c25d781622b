// Benchmark operands: seeded random CSR matrices of an exact density, and their dense copies.
import { CsrMatrix } from '../math/csr';
import type { Rng } from '../math/rng';

/**
 * A random (n, k) CSR matrix with exactly round(density·n·k) nonzeros (at least one per row when
 * density > 0, as trained weight-sparse models keep a minimum per neuron), spread evenly over rows at
 * random columns, values uniform in [−1, 1).
 */
export function randomCsr(rng: Rng, n: number, k: number, density: number): CsrMatrix {
  const rowPtr = new Uint32Array(n + 1);
  const perRowExact = density * k;
  for (let r = 0; r < n; r++) {
    let count = Math.round((r + 1) * perRowExact) - Math.round(r * perRowExact);
    if (density > 0) count = Math.max(1, count);
    rowPtr[r + 1] = rowPtr[r] + Math.min(k, count);
  }
  const nnz = rowPtr[n];
  const colIdx = new Uint32Array(nnz);
  const values = new Float32Array(nnz);
  const chosen = new Uint8Array(k);
  for (let r = 0; r < n; r++) {
    const start = rowPtr[r];
    const count = rowPtr[r + 1] - start;
    if (count * 2 > k) {
      // Dense-ish row: pick the columns to drop instead.
      chosen.fill(1);
      for (let dropped = 0; dropped < k - count; ) {
        const c = rng.int(k);
        if (chosen[c]) {
          chosen[c] = 0;
          dropped++;
        }
      }
    } else {
      chosen.fill(0);
      for (let picked = 0; picked < count; ) {
        const c = rng.int(k);
        if (!chosen[c]) {
          chosen[c] = 1;
          picked++;
        }
      }
    }
    let i = start;
    for (let c = 0; c < k; c++) {
      if (chosen[c]) {
        colIdx[i] = c;
        values[i++] = rng.next() * 2 - 1;
      }
    }
  }
  return new CsrMatrix({ rows: n, cols: k, rowPtr, colIdx, values });
}
