import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { writeMatrixMarket } from '../../src/formats/matrixMarketCsr';
import { CsrMatrix } from '../../src/math/csr';
import { type DnnResult, runDnnCpu } from '../../src/math/dnn';
import { Rng } from '../../src/math/rng';
import {
  DnnError,
  dnnCategories,
  dnnEdges,
  layerNumber,
  loadDnnCategories,
  loadDnnFromTexts,
  loadDnnInput,
  type SparseDnn,
  selectImages,
} from '../../src/model/dnn';

// <repo>/../shared/data/graph-challenge-dnn; CI clones shared/ beside the repository. Missing data FAILS.
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const DATA = resolve(REPO, '..', 'shared', 'data', 'graph-challenge-dnn');
const LAYERS = 30;

function dataText(name: string): string {
  const path = resolve(DATA, name);
  if (!existsSync(path)) {
    throw new Error(
      `Graph Challenge data missing: looked for ${path} (<repo>/../shared/data/graph-challenge-dnn)`,
    );
  }
  return readFileSync(path, 'utf8');
}

let cached: { dnn: SparseDnn; input: CsrMatrix; truth: number[] } | null = null;
function graphChallenge() {
  if (!cached) {
    const files = Array.from({ length: LAYERS }, (_, l) => ({
      name: `n1024-l${l + 1}.mtx`,
      text: dataText(`n1024-l${l + 1}.mtx`),
    }));
    const dnn = loadDnnFromTexts(files.reverse()); // order must come from the names, not the list
    const input = loadDnnInput(
      dataText('sparse-images-1024_subset.mtx'),
      'sparse-images-1024_subset.mtx',
      dnn,
    );
    const truth = loadDnnCategories(dataText('neuron1024-l120-categories_subset.mtx'), 'categories');
    cached = { dnn, input, truth };
  }
  return cached;
}

/**
 * Independent reference, straight from the files' text: its own line split, in×out triplets used as
 * stored (row = input, column = output; symmetric files mirrored), f64 sums, Y₍ₗ₊₁₎ = clamp(Yₗ·W + b).
 */
function referenceLayer(text: string): RefLayer {
  const lines = text.split('\n').map((l) => l.trim());
  const symmetric = lines[0].includes('symmetric');
  const data = lines.filter((l) => l !== '' && !l.startsWith('%'));
  const n = Number(data[0].split(/\s+/)[1]); // outputs = the file's columns
  const ins: number[] = [];
  const outs: number[] = [];
  const ws: number[] = [];
  for (const line of data.slice(1)) {
    const [i, j, v] = line.split(/\s+/).map(Number);
    ins.push(i - 1);
    outs.push(j - 1);
    ws.push(v);
    if (symmetric && i !== j) {
      ins.push(j - 1);
      outs.push(i - 1);
      ws.push(v);
    }
  }
  return { n, ins: Int32Array.from(ins), outs: Int32Array.from(outs), ws: Float64Array.from(ws) };
}

interface RefLayer {
  n: number; // outputs
  ins: Int32Array; // file row (input neuron), 0-based
  outs: Int32Array; // file column (output neuron), 0-based
  ws: Float64Array;
}

function referenceInference(
  layers: RefLayer[],
  y0: Float64Array[],
  bias: number,
  ymax: number,
): Float64Array[] {
  return y0.map((row) => {
    let y = row;
    for (const { n, ins, outs, ws } of layers) {
      const z = new Float64Array(n);
      for (let e = 0; e < ws.length; e++) z[outs[e]] += y[ins[e]] * ws[e];
      y = z.map((s) => Math.min(Math.max(Math.fround(s + Math.fround(bias)), 0), ymax));
    }
    return y;
  });
}

function denseRows(input: CsrMatrix): Float64Array[] {
  const dense = input.toDense();
  return Array.from({ length: input.rows }, (_, i) =>
    Float64Array.from(dense.subarray(i * input.cols, (i + 1) * input.cols)),
  );
}

function expectNear(actual: Float32Array, expected: Float64Array[], tol = 1e-4): void {
  const width = expected[0].length;
  expect(actual.length).toBe(expected.length * width);
  let worst = 0;
  for (const [i, row] of expected.entries()) {
    for (const [j, e] of row.entries()) {
      worst = Math.max(worst, Math.abs(actual[i * width + j] - e) / (1 + Math.abs(e)));
    }
  }
  expect(worst).toBeLessThanOrEqual(tol);
}

describe('Graph Challenge sparse DNN, 30 layers, on the CPU', () => {
  it('the data is where CI puts it, with the 19 true categories', { timeout: 30_000 }, () => {
    const { dnn, input, truth } = graphChallenge();
    expect(dnn.layers).toHaveLength(LAYERS);
    expect(dnn.names[0]).toBe('n1024-l1.mtx');
    expect(dnn.names[9]).toBe('n1024-l10.mtx');
    expect([input.rows, input.cols]).toEqual([1200, 1024]);
    expect(truth).toHaveLength(19);
    expect(dnnEdges(dnn, input.rows)).toBe(1200 * 30 * 32768);
  });

  // The 'spmm' kernel (every image × every nonzero, ≈3 s here) runs on the subset below only.
  it('sparse path: exactly the 19 true categories for all 1200 images', { timeout: 60_000 }, () => {
    const { dnn, input, truth } = graphChallenge();
    for (const sparseKernel of ['live-simd', 'skip-zeros'] as const) {
      const result = runDnnCpu(dnn, input, { path: 'sparse', sparseKernel });
      expect(result.categories).toEqual(truth);
      expect(result.layerMs).toHaveLength(LAYERS);
      expect(result.seconds).toBeGreaterThan(0);
      console.log(`cpu sparse (${sparseKernel}): ${result.seconds.toFixed(3)} s for 1200 images`);
    }
  });

  it('dense path on images 280..311 (two true categories among them) matches the reference and the truth', {
    timeout: 60_000,
  }, () => {
    const { dnn, input, truth } = graphChallenge();
    const first = 279; // 0-based: images 280..311, containing categories 287 and 295
    const subset = selectImages(input, first, 32);
    const dense = runDnnCpu(dnn, subset, { path: 'dense' });
    const sparse = runDnnCpu(dnn, subset, { path: 'sparse' });
    const spmm = runDnnCpu(dnn, subset, { path: 'sparse', sparseKernel: 'spmm' });
    const layers = Array.from({ length: LAYERS }, (_, l) => referenceLayer(dataText(`n1024-l${l + 1}.mtx`)));
    const ref = referenceInference(layers, denseRows(subset), dnn.bias, dnn.ymax);
    const refCategories = ref.flatMap((row, i) => (row.some((v) => v !== 0) ? [i] : []));
    const expected = truth.filter((i) => i >= first && i < first + 32).map((i) => i - first);
    expect(expected).toEqual([286 - first, 294 - first]);
    expect(refCategories).toEqual(expected);
    for (const r of [dense, sparse, spmm] as DnnResult[]) {
      expect(r.categories).toEqual(expected);
      expectNear(r.y, ref);
    }
    console.log(`cpu dense: ${dense.seconds.toFixed(3)} s for 32 images`);
    // After 30 layers every surviving image is saturated (all 1024 neurons at ymax), so Y₃₀ cannot tell
    // a transposed weight from the right one; after 3 layers the values still vary (0.05, 0.11, …).
    const three = { ...dnn, layers: dnn.layers.slice(0, 3), names: dnn.names.slice(0, 3) };
    const ref3 = referenceInference(layers.slice(0, 3), denseRows(subset), dnn.bias, dnn.ymax);
    expect(new Set(ref3.flatMap((row) => Array.from(row))).size).toBeGreaterThan(10);
    for (const opts of [
      { path: 'dense' },
      { path: 'sparse' },
      { path: 'sparse', sparseKernel: 'spmm' },
    ] as const) {
      expectNear(runDnnCpu(three, subset, opts).y, ref3, 1e-5);
    }
  });
});

/** A random network of `widths` (K₀ → N₁ → …), written as in×out files and loaded back. */
function randomNetwork(rng: Rng, widths: number[], density: number, opts: { bias: number; ymax: number }) {
  const texts = widths.slice(1).map((n, l) => {
    const k = widths[l];
    const rows: number[] = [];
    const cols: number[] = [];
    const vals: number[] = [];
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < n; j++) {
        if (rng.next() < density) {
          rows.push(i);
          cols.push(j);
          vals.push(Math.fround(rng.next() * 2 - 0.8));
        }
      }
    }
    const w = {
      rows: k,
      cols: n,
      rowIdx: Uint32Array.from(rows),
      colIdx: Uint32Array.from(cols),
      values: Float32Array.from(vals),
    };
    return { name: `net-l${l + 1}.mtx`, text: writeMatrixMarket(w) };
  });
  const shuffled = [...texts].sort(() => rng.next() - 0.5);
  return { dnn: loadDnnFromTexts(shuffled, opts), layers: texts.map((t) => referenceLayer(t.text)) };
}

describe('small generated networks against the reference', () => {
  const cases = [
    { bias: -0.3, ymax: 32, density: 0.3 },
    { bias: -0.05, ymax: 0.8, density: 0.5 }, // the clamp bites
    { bias: 0.2, ymax: 4, density: 0.2 }, // positive bias: every neuron and every image stays alive
    { bias: 0, ymax: 32, density: 0.05 }, // very sparse: rows and neurons die
  ];
  for (const [c, { bias, ymax, density }] of cases.entries()) {
    it(`case ${c}: bias ${bias}, ymax ${ymax}, density ${density}, 12 layers (l10 after l9)`, () => {
      const rng = new Rng(1000 + c);
      const widths = Array.from({ length: 13 }, () => 3 + rng.int(20));
      const { dnn, layers } = randomNetwork(rng, widths, density, { bias, ymax });
      expect(dnn.names.slice(8, 12)).toEqual(['net-l9.mtx', 'net-l10.mtx', 'net-l11.mtx', 'net-l12.mtx']);
      const images = 9;
      const dense = new Float32Array(images * widths[0]).map(() => (rng.next() < 0.4 ? rng.next() * 2 : 0));
      dense.fill(0, 0, widths[0]); // an all-zero image
      const input = CsrMatrix.fromDense(dense, images, widths[0]);
      const ref = referenceInference(layers, denseRows(input), bias, ymax);
      const refCategories = ref.flatMap((row, i) => (row.some((v) => v !== 0) ? [i] : []));
      for (const opts of [
        { path: 'dense' },
        { path: 'sparse' },
        { path: 'sparse', sparseKernel: 'spmm' },
      ] as const) {
        const r = runDnnCpu(dnn, input, opts);
        expectNear(r.y, ref, 1e-5);
        expect(r.categories).toEqual(refCategories);
        expect(r.layerMs).toHaveLength(12);
      }
    });
  }
});

describe('loading and helpers', () => {
  it('layer numbers come from the file name, numerically', () => {
    expect(layerNumber('n1024-l10.mtx')).toBe(10);
    expect(layerNumber('/a/b/n1024-l2.mtx')).toBe(2);
    expect(layerNumber('layer_3.mtx')).toBe(3);
    expect(layerNumber('l7.mtx')).toBe(7);
    expect(layerNumber('sparse-images-1024_subset.mtx')).toBeNull();
    expect(layerNumber('neuron1024-l120-categories_subset.mtx')).toBeNull();
  });

  it('rejects gaps, duplicates, unnumbered files and shapes that do not chain', () => {
    const w = (k: number, n: number) =>
      writeMatrixMarket({
        rows: k,
        cols: n,
        rowIdx: Uint32Array.of(0),
        colIdx: Uint32Array.of(0),
        values: Float32Array.of(1),
      });
    const load = (files: [string, string][]) => () =>
      loadDnnFromTexts(files.map(([name, text]) => ({ name, text })));
    expect(
      load([
        ['a-l1.mtx', w(4, 4)],
        ['a-l3.mtx', w(4, 4)],
      ]),
    ).toThrow(/not consecutive.*a-l3\.mtx/);
    expect(
      load([
        ['a-l1.mtx', w(4, 4)],
        ['b-l1.mtx', w(4, 4)],
      ]),
    ).toThrow(/both layer 1/);
    expect(load([['weights.mtx', w(4, 4)]])).toThrow(/no layer number/);
    expect(
      load([
        ['a-l1.mtx', w(4, 5)],
        ['a-l2.mtx', w(4, 4)],
      ]),
    ).toThrow(/a-l2\.mtx has 4 inputs but a-l1\.mtx has 5 outputs/);
    expect(load([])).toThrow(DnnError);
    expect(load([['a-l1.mtx', 'garbage']])).toThrow(/a-l1\.mtx:1: /);
  });

  it('dnnCategories and selectImages', () => {
    const y = Float32Array.of(0, 0, 0, 1, 0, 0, 0, 0, 2);
    expect(dnnCategories(y, 3, 3)).toEqual([1, 2]);
    expect(() => dnnCategories(y, 2, 3)).toThrow(DnnError);
    const input = CsrMatrix.fromDense(Float32Array.of(1, 0, 0, 2, 3, 0, 0, 0, 4), 3, 3);
    const mid = selectImages(input, 1, 2);
    expect(Array.from(mid.toDense())).toEqual([2, 3, 0, 0, 0, 4]);
    expect(() => selectImages(input, 2, 2)).toThrow(/images 3\.\.4 requested/);
  });
});
