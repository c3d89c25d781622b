// Layered sparse networks read from Matrix Market files, such as the MIT/IEEE Graph Challenge sparse DNN:
//   Y₍ₗ₊₁₎ = min(max(Yₗ · W_fileₗ + b, 0), ymax),  Y₀: (images × K₀), W_fileₗ: (Kₗ × Nₗ) in×out.
// We store every layer as our usual out×in W (Nₗ × Kₗ), i.e. the TRANSPOSE of the file's matrix, so that
// Yₗ₊₁ = act(Yₗ · Wₗᵀ + b) is the project's linear-layer contract and the GPU kernels apply unchanged.
// Pure TS (no Node APIs): the browser loads the same files.

import { MatrixMarketError, parseMatrixMarket } from '../formats/matrixMarket';
import { matrixMarketToCsr } from '../formats/matrixMarketCsr';
import { CsrMatrix } from '../math/csr';
import { DnnError, type SparseDnn } from '../math/dnn';

export type { SparseDnn } from '../math/dnn';
export { DnnError, dnnCategories } from '../math/dnn';

/** The Graph Challenge's constants. */
const GRAPH_CHALLENGE_BIAS = -0.3;
const GRAPH_CHALLENGE_YMAX = 32;

/**
 * The layer number in a file name: the digits after an `l` or `layer` that ends the base name
 * (`n1024-l10.mtx` → 10, `layer_3.mtx` → 3); null for names such as `sparse-images-1024_subset.mtx`.
 */
export function layerNumber(fileName: string): number | null {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  const m = /(?:^|[^a-z])l(?:ayer)?[-_]?(\d+)\.mtx$/i.exec(base);
  return m ? Number(m[1]) : null;
}

/**
 * Parse the layer files and order them by the layer number in their names (numeric: l2 before l10).
 * The numbers must be consecutive (a missing layer would silently give another network) and the shapes
 * must chain (layer l's inputs = layer l−1's outputs).
 */
export function loadDnnFromTexts(
  files: { name: string; text: string }[],
  opts: { bias?: number; ymax?: number } = {},
): SparseDnn {
  if (files.length === 0) throw new DnnError('no layer files given');
  const numbered = files.map((f) => {
    const n = layerNumber(f.name);
    if (n === null) {
      throw new DnnError(`${f.name}: no layer number in the file name (expected e.g. "n1024-l7.mtx")`);
    }
    return { ...f, n };
  });
  numbered.sort((a, b) => a.n - b.n);
  for (let i = 1; i < numbered.length; i++) {
    const prev = numbered[i - 1];
    const cur = numbered[i];
    if (cur.n === prev.n) throw new DnnError(`${prev.name} and ${cur.name} are both layer ${cur.n}`);
    if (cur.n !== prev.n + 1) {
      throw new DnnError(`layer numbers are not consecutive: ${prev.name} is followed by ${cur.name}`);
    }
  }
  const layers = numbered.map((f) =>
    matrixMarketToCsr(parseMatrixMarket(f.text, f.name), { transpose: true }),
  );
  for (let l = 1; l < layers.length; l++) {
    if (layers[l].cols !== layers[l - 1].rows) {
      throw new DnnError(
        `${numbered[l].name} has ${layers[l].cols} inputs but ${numbered[l - 1].name} has ` +
          `${layers[l - 1].rows} outputs`,
      );
    }
  }
  return {
    layers,
    bias: opts.bias ?? GRAPH_CHALLENGE_BIAS,
    ymax: opts.ymax ?? GRAPH_CHALLENGE_YMAX,
    names: numbered.map((f) => f.name),
  };
}

/** The input Y₀ (images × pixels) as CSR; a pattern file gives ones. Its width must match layer 1. */
export function loadDnnInput(text: string, fileName: string, dnn?: SparseDnn): CsrMatrix {
  const input = matrixMarketToCsr(parseMatrixMarket(text, fileName));
  if (dnn && dnn.layers.length > 0 && input.cols !== dnn.layers[0].cols) {
    throw new DnnError(
      `${fileName} has ${input.cols} columns but ${dnn.names[0]} expects ${dnn.layers[0].cols} inputs`,
    );
  }
  return input;
}

/** Images first..first+count−1 of Y₀ (0-based first), e.g. a subset for the slow dense paths. */
export function selectImages(input: CsrMatrix, first: number, count: number): CsrMatrix {
  if (!Number.isInteger(first) || !Number.isInteger(count) || first < 0 || count < 0) {
    throw new DnnError(`image range ${first}+${count} is not a pair of non-negative integers`);
  }
  if (first + count > input.rows) {
    throw new DnnError(`images ${first + 1}..${first + count} requested, the input has ${input.rows}`);
  }
  const lo = input.rowPtr[first];
  const hi = input.rowPtr[first + count];
  const rowPtr = input.rowPtr.slice(first, first + count + 1).map((p) => p - lo);
  return new CsrMatrix({
    rows: count,
    cols: input.cols,
    rowPtr,
    colIdx: input.colIdx.slice(lo, hi),
    values: input.values.slice(lo, hi),
  });
}

/** A categories file (images × 1 pattern, the rows with a nonzero output) as sorted 0-based image indices. */
export function loadDnnCategories(text: string, fileName: string): number[] {
  const mm = parseMatrixMarket(text, fileName);
  if (mm.cols !== 1) throw new MatrixMarketError(fileName, 1, `expected one column, got ${mm.cols}`);
  return [...new Set(mm.rowIdx)].sort((a, b) => a - b);
}

/** The challenge's work measure: nImages · Σₗ nnz(Wₗ) edges per inference. */
export function dnnEdges(dnn: SparseDnn, nImages: number): number {
  return nImages * dnn.layers.reduce((sum, w) => sum + w.nnz, 0);
}
