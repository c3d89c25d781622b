import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/math/rng';
import { presetConfig } from '../../src/model/config';
import { initGpt2 } from '../../src/model/init';
import { SparsifyError, sparsifyMatrix, sparsifyModel } from '../../src/model/sparsify';
import { isSparse } from '../../src/model/weights';

/** Reference: full sort by (|w| desc, index asc), top k, then each row's own top m. */
function referenceMask(w: Float32Array, n: number, k: number, density: number, minPer: number): Uint8Array {
  const order = Array.from(w.keys()).sort((a, b) => Math.abs(w[b]) - Math.abs(w[a]) || a - b);
  const mask = new Uint8Array(w.length);
  const keep = Math.min(w.length, Math.ceil(density * w.length - 1e-6));
  for (let i = 0; i < keep; i++) mask[order[i]] = 1;
  const m = Math.min(minPer, k);
  for (let r = 0; r < n; r++) {
    const row = Array.from({ length: k }, (_, c) => r * k + c).sort(
      (a, b) => Math.abs(w[b]) - Math.abs(w[a]) || a - b,
    );
    for (let i = 0; i < m; i++) mask[row[i]] = 1;
  }
  return mask;
}

function maskOf(
  dense: Float32Array,
  csr: { rows: number; cols: number; rowPtr: Uint32Array; colIdx: Uint32Array },
) {
  const mask = new Uint8Array(dense.length);
  for (let r = 0; r < csr.rows; r++) {
    for (let i = csr.rowPtr[r]; i < csr.rowPtr[r + 1]; i++) mask[r * csr.cols + csr.colIdx[i]] = 1;
  }
  return mask;
}

describe('sparsifyMatrix', () => {
  it('matches the sort-based reference on random matrices with many ties, signs and zeros', () => {
    const rng = new Rng(9);
    for (let trial = 0; trial < 40; trial++) {
      const n = 1 + rng.int(20);
      const k = 1 + rng.int(30);
      // Few distinct magnitudes (and ±, and 0) so that ties at the threshold are the common case.
      const w = new Float32Array(n * k);
      for (let i = 0; i < w.length; i++) w[i] = (rng.int(7) - 3) * 0.25;
      const density = [0.01, 0.05, 0.2, 0.5, 1][rng.int(5)];
      const minPer = rng.int(6);
      const { csr, pruned, stats } = sparsifyMatrix(w, n, k, { density, minPerNeuron: minPer, name: 'm' });
      const ref = referenceMask(w, n, k, density, minPer);
      expect(Array.from(maskOf(w, csr))).toEqual(Array.from(ref));
      const target = Math.ceil(density * (n * k) - 1e-6);
      expect(stats.target).toBe(target);
      expect(stats.kept).toBe(ref.reduce((s, v) => s + v, 0));
      expect(stats.kept).toBe(target + stats.addedForMinimum);
      for (let i = 0; i < w.length; i++) expect(pruned[i]).toBe(ref[i] ? w[i] : 0);
    }
  });

  it('keeps exactly k when every row already has its minimum, and the per-neuron minimum otherwise', () => {
    const rng = new Rng(2);
    const n = 64;
    const k = 48;
    const w = rng.normalArray(n * k);
    const a = sparsifyMatrix(w, n, k, { density: 0.25, minPerNeuron: 4 });
    expect(a.stats.kept).toBe(Math.ceil(0.25 * n * k));
    expect(a.stats.addedForMinimum).toBe(0);
    const b = sparsifyMatrix(w, n, k, { density: 1 / 1000, minPerNeuron: 4 });
    expect(b.stats.target).toBe(4);
    for (let r = 0; r < n; r++) expect(b.csr.rowLength(r)).toBeGreaterThanOrEqual(4);
    expect(b.stats.kept).toBe(4 + b.stats.addedForMinimum);
    // K smaller than the minimum: every entry of every row.
    const c = sparsifyMatrix(rng.normalArray(5 * 3), 5, 3, { density: 0.01, minPerNeuron: 4 });
    expect(c.stats.kept).toBe(15);
  });

  it("'exact' takes the stored zeros as the pattern", () => {
    const w = new Float32Array([0, 1.5, 0, -2, 0, 0, 0, 0, 3]);
    const { csr, stats } = sparsifyMatrix(w, 3, 3, { density: 'exact' });
    expect(Array.from(csr.rowPtr)).toEqual([0, 1, 2, 3]);
    expect(Array.from(csr.colIdx)).toEqual([1, 0, 2]);
    expect(stats).toMatchObject({ kept: 3, target: 3, addedForMinimum: 0 });
  });

  it('takes ⌈density·N·K⌉ without float noise', () => {
    expect(
      sparsifyMatrix(new Rng(1).normalArray(60), 6, 10, { density: 0.05, minPerNeuron: 0 }).stats.kept,
    ).toBe(3);
  });

  it('rejects NaN weights and bad densities', () => {
    expect(() =>
      sparsifyMatrix(new Float32Array([1, Number.NaN]), 1, 2, { density: 0.5, name: 'h.0.fc' }),
    ).toThrow(/h\.0\.fc: NaN weight at index 1/);
    expect(() => sparsifyMatrix(new Float32Array(4), 2, 2, { density: 0 })).toThrow(SparsifyError);
    expect(() => sparsifyMatrix(new Float32Array(4), 2, 2, { density: 1.5 })).toThrow(/density/);
  });
});

describe('sparsifyModel', () => {
  const weights = initGpt2(presetConfig('tiny'), { seed: 1 });

  it('fills csr on every linear and reports per-matrix kept counts', () => {
    const twin = sparsifyModel(weights, { density: 1 / 64 });
    expect(isSparse(twin)).toBe(true);
    expect(isSparse(weights)).toBe(false);
    const names = twin.sparsity?.matrices.map((s) => s.name);
    expect(names).toEqual([
      'h.0.qkv',
      'h.0.attn.proj',
      'h.0.fc',
      'h.0.fc.proj',
      'h.1.qkv',
      'h.1.attn.proj',
      'h.1.fc',
      'h.1.fc.proj',
    ]);
    const qkv = twin.sparsity?.matrices[0];
    expect(qkv?.total).toBe(192 * 64);
    // 1/64 of 192·64 = 192 = one per row, so the per-neuron minimum of 4 dominates.
    expect(qkv?.kept).toBe(twin.blocks[0].qkv.csr?.nnz);
    expect(qkv?.kept).toBeGreaterThanOrEqual(192 * 4);
    expect(twin.wte).toBe(weights.wte); // embeddings untouched by default
    expect(twin.blocks[0].ln1).toBe(weights.blocks[0].ln1);
    expect(weights.blocks[0].qkv.csr).toBeUndefined(); // the source is not modified
  });

  it('deterministic: same input, same pattern', () => {
    const a = sparsifyModel(weights, { density: 0.1 });
    const b = sparsifyModel(weights, { density: 0.1 });
    expect(a.blocks[1].fc.csr?.colIdx).toEqual(b.blocks[1].fc.csr?.colIdx);
  });

  it('includeEmbeddings prunes wte and wpe and gives a CSR unembedding', () => {
    const twin = sparsifyModel(weights, { density: 0.25, includeEmbeddings: true });
    expect(twin.wteCsr?.rows).toBe(128);
    expect(twin.sparsity?.matrices.map((s) => s.name).slice(-2)).toEqual(['wte', 'wpe']);
    expect(twin.wte.filter((v) => v !== 0).length).toBe(twin.wteCsr?.nnz);
  });
});
