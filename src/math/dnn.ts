// CPU inference of a layered sparse network (src/model/dnn.ts): Yₗ₊₁ = min(max(Yₗ · Wₗᵀ + b, 0), ymax).
// Y: (nImages × width) row-major; Wₗ: (Nₗ × Kₗ) out×in CSR. Four kernels:
// - 'sparse' / 'live-simd' (the default where WebAssembly SIMD is available): runDnnWasm
//   (src/math/wasm/dnnWasm.ts), every live image's full row, 8 images per SIMD group, dead images
//   dropped after each layer (bias ≤ 0). Cost ∝ Σ live images · nnz(W) / 8 lanes.
// - 'sparse' / 'skip-zeros': each live activation y[i,k] is scattered along row k of the file's in×out
//   matrix (Wₗᵀ as CSR), and rows that die are dropped. Cost ∝ Σ nnz(Y) · 32, not nImages · nnz(W): the
//   activations of this network die out fast, which is exactly what scipy.sparse exploits implicitly.
// - 'sparse' / 'spmm': spmmFast (src/math/spmm.ts) on the full activation matrix, every row and every
//   nonzero of W, the same work as the GPU's CSR kernel.
// - 'dense': the same weights stored densely, a full (nImages × K) · (K × N) product per layer
//   (matmulFast, src/math/matmul.ts): every multiply, zeros included.
// Biases are the f32 value of b, as the GPU kernels see them.
import { checkDense } from '../params/limits';
import type { CsrMatrix } from './csr';
import { matmulFast } from './matmul';
import { spmmFast } from './spmm';
import { runDnnWasm, wasmDnnAvailable } from './wasm/dnnWasm';
import { WasmMemoryError } from './wasm/heap';

/** A bad layered network or input: the message names the file, layer or size. */
export class DnnError extends Error {
  override name = 'DnnError';
}

export interface SparseDnn {
  /** Layer l's weights as out×in CSR (Nₗ × Kₗ): the transpose of the file's in×out matrix. */
  layers: CsrMatrix[];
  /** The same bias on every neuron of every layer (Graph Challenge: −0.3). */
  bias: number;
  /** Upper clamp of the ReLU (Graph Challenge: 32). */
  ymax: number;
  /** File names, in layer order. */
  names: string[];
}

/** Images (0-based) whose final activation row y (nImages × width, row-major) has a nonzero. */
export function dnnCategories(y: Float32Array, nImages: number, width: number): number[] {
  if (y.length !== nImages * width) {
    throw new DnnError(`activations have ${y.length} values, expected ${nImages}×${width}`);
  }
  const out: number[] = [];
  for (let i = 0; i < nImages; i++) {
    const base = i * width;
    for (let j = 0; j < width; j++) {
      if (y[base + j] !== 0) {
        out.push(i);
        break;
      }
    }
  }
  return out;
}

export type DnnPath = 'sparse' | 'dense';
export type DnnSparseKernel = 'live-simd' | 'skip-zeros' | 'spmm';

export interface DnnRunOptions {
  path: DnnPath;
  sparseKernel?: DnnSparseKernel; // default 'live-simd' (see resolveDnnKernel)
  /** live-simd only: repeat each layer's kernel for at least this long and time the mean (DnnWasmOptions). */
  minLayerMs?: number;
}

/**
 * The sparse kernel that runs for a request: 'live-simd' (also the default) needs WebAssembly SIMD and
 * falls back to the JavaScript 'skip-zeros' kernel where it is missing; the others run as asked.
 */
export function resolveDnnKernel(requested: DnnSparseKernel = 'live-simd'): DnnSparseKernel {
  return requested === 'live-simd' && !wasmDnnAvailable() ? 'skip-zeros' : requested;
}

export interface DnnResult {
  y: Float32Array; // final activations, nImages × width
  categories: number[]; // 0-based images whose final row has a nonzero
  layerMs: number[]; // wall time per layer
  seconds: number; // sum of the layers (weight re-layout before the first layer is not counted)
  layerRepeats?: number[]; // kernel calls each layer's time is the mean of, where more than one ran
  /** Set when the requested kernel could not run and another did: one line saying which and why. */
  fallback?: string;
}

/**
 * The checks every CPU runner makes before any work (this thread's and the worker pool's): a network with
 * layers, an input as wide as layer 1, and images × width activations within the stated limits.
 */
export function checkDnnRun(dnn: SparseDnn, input: CsrMatrix): void {
  if (dnn.layers.length === 0) throw new Error('dnn: the network has no layers');
  if (input.cols !== dnn.layers[0].cols) {
    throw new Error(`dnn: input has ${input.cols} columns, layer 1 expects ${dnn.layers[0].cols}`);
  }
  // Every path makes images × width activations (dense, or the skip-zeros output): bounded up front.
  for (const w of dnn.layers) checkDense('dnn activations (images × neurons)', input.rows, w.rows);
}

/** Run the network on the CPU. `input` is Y₀ (nImages × K₀) as CSR, e.g. loadDnnInput's result. */
export function runDnnCpu(dnn: SparseDnn, input: CsrMatrix, opts: DnnRunOptions): DnnResult {
  checkDnnRun(dnn, input);
  const bias = Math.fround(dnn.bias);
  const kernel = resolveDnnKernel(opts.sparseKernel);
  const {
    layerMs,
    y,
    layerRepeats,
    fallback,
  }: { layerMs: number[]; y: Float32Array; layerRepeats?: number[]; fallback?: string } =
    opts.path === 'dense'
      ? runDense(dnn, input, bias)
      : kernel === 'spmm'
        ? runSpmm(dnn, input, bias)
        : kernel === 'live-simd'
          ? runLiveSimd(dnn.layers, input, bias, dnn.ymax, opts.minLayerMs ?? 0, () => transposeLayers(dnn))
          : runSkipZeros(dnn, input, bias);
  const width = dnn.layers[dnn.layers.length - 1].rows;
  return {
    y,
    categories: dnnCategories(y, input.rows, width),
    layerMs,
    seconds: layerMs.reduce((a, b) => a + b, 0) / 1000,
    ...(layerRepeats?.some((r) => r > 1) ? { layerRepeats } : {}),
    ...(fallback ? { fallback } : {}),
  };
}

/**
 * The live-simd kernel (runDnnWasm), or, when its wasm memory cannot hold the run (WasmMemoryError: the
 * memory cannot grow, or the run would need addresses past 2 GiB), the JavaScript skip-zeros kernel on
 * `transposed()`'s layers, from the start, with `fallback` saying so.
 */
export function runLiveSimd(
  layers: readonly CsrMatrix[],
  input: CsrMatrix,
  bias: number,
  ymax: number,
  minLayerMs: number,
  transposed: () => readonly CsrMatrix[],
): { layerMs: number[]; y: Float32Array; layerRepeats?: number[]; fallback?: string } {
  try {
    return runDnnWasm(layers, input, bias, ymax, { minLayerMs });
  } catch (err) {
    if (!(err instanceof WasmMemoryError)) throw err;
    return {
      ...runSkipZerosTransposed(transposed(), input, bias, ymax),
      fallback: `live-simd kernel out of wasm memory (${err.message}); ran the skip-zeros kernel instead`,
    };
  }
}

/** Sparse rows of activations: image `rows[r]` holds (idx, val)[ptr[r]..ptr[r+1]). Dead images are absent. */
interface SparseRows {
  rows: Uint32Array;
  ptr: Uint32Array;
  idx: Uint32Array;
  val: Float32Array;
}

function runSkipZeros(
  dnn: SparseDnn,
  input: CsrMatrix,
  bias: number,
): { layerMs: number[]; y: Float32Array } {
  return runSkipZerosTransposed(transposeLayers(dnn), input, bias, dnn.ymax);
}

/** The layers as the skip-zeros kernel reads them: Kₗ × Nₗ (row k lists the outputs input k feeds). */
export function transposeLayers(dnn: SparseDnn): CsrMatrix[] {
  return dnn.layers.map((w) => w.transpose());
}

/**
 * The skip-zeros kernel on layers already transposed (transposeLayers), for callers that run one network
 * many times (the worker pool of src/engine/dnnThreads.ts). `bias` as the f32 value (Math.fround).
 */
export function runSkipZerosTransposed(
  transposed: readonly CsrMatrix[],
  input: CsrMatrix,
  bias: number,
  ymax: number,
): { layerMs: number[]; y: Float32Array } {
  const all = new Uint32Array(input.rows);
  for (let i = 0; i < input.rows; i++) all[i] = i;
  let act: SparseRows = { rows: all, ptr: input.rowPtr, idx: input.colIdx, val: input.values };
  const layerMs: number[] = [];
  for (const wt of transposed) {
    const t0 = performance.now();
    act = scatterLayer(act, wt, bias, ymax, input.rows);
    layerMs.push(performance.now() - t0);
  }
  const width = transposed[transposed.length - 1].cols;
  const y = new Float32Array(input.rows * width);
  for (let r = 0; r < act.rows.length; r++) {
    const base = act.rows[r] * width;
    for (let p = act.ptr[r]; p < act.ptr[r + 1]; p++) y[base + act.idx[p]] = act.val[p];
  }
  return { layerMs, y };
}

/** One layer on sparse rows. wt: (K × N) CSR, the file's in×out matrix. Accumulates in f64. */
function scatterLayer(
  act: SparseRows,
  wt: CsrMatrix,
  bias: number,
  ymax: number,
  nImages: number,
): SparseRows {
  const N = wt.cols;
  const { rowPtr, colIdx, values } = wt;
  const acc = new Float64Array(N);
  // A positive bias lights every neuron, so every image (even an all-zero one) produces a row; with
  // b ≤ 0 an output no input reached stays 0 and a row with no live input dies.
  const inRows = bias > 0 ? allRows(act, nImages) : act;
  const outRows: number[] = [];
  const outPtr: number[] = [0];
  let idx = new Uint32Array(Math.max(N, act.idx.length));
  let val = new Float32Array(idx.length);
  let k = 0;
  for (let r = 0; r < inRows.rows.length; r++) {
    for (let p = inRows.ptr[r]; p < inRows.ptr[r + 1]; p++) {
      const a = inRows.val[p];
      const row = inRows.idx[p];
      for (let i = rowPtr[row]; i < rowPtr[row + 1]; i++) acc[colIdx[i]] += a * values[i];
    }
    if (idx.length < k + N) {
      idx = copyGrow(idx, new Uint32Array(2 * idx.length + N));
      val = copyGrow(val, new Float32Array(idx.length));
    }
    // Scanning all N accumulators (N per live row) is cheaper than tracking which ones were touched
    // (one branch per multiply-add); an untouched accumulator is 0 and gives clamp(b) = 0 for b ≤ 0.
    const start = k;
    for (let j = 0; j < N; j++) {
      const v = Math.min(Math.max(Math.fround(acc[j] + bias), 0), ymax);
      acc[j] = 0;
      if (v !== 0) {
        idx[k] = j;
        val[k++] = v;
      }
    }
    if (k > start) {
      outRows.push(inRows.rows[r]);
      outPtr.push(k);
    }
  }
  return { rows: Uint32Array.from(outRows), ptr: Uint32Array.from(outPtr), idx, val };
}

/** Every image 0..nImages−1, with an empty row for those absent from `act`. */
function allRows(act: SparseRows, nImages: number): SparseRows {
  const ptr = new Uint32Array(nImages + 1);
  for (let r = 0; r < act.rows.length; r++) ptr[act.rows[r] + 1] = act.ptr[r + 1] - act.ptr[r];
  for (let i = 0; i < nImages; i++) ptr[i + 1] += ptr[i];
  const idx = new Uint32Array(ptr[nImages]);
  const val = new Float32Array(ptr[nImages]);
  for (let r = 0; r < act.rows.length; r++) {
    const from = act.ptr[r];
    const len = act.ptr[r + 1] - from;
    idx.set(act.idx.subarray(from, from + len), ptr[act.rows[r]]);
    val.set(act.val.subarray(from, from + len), ptr[act.rows[r]]);
  }
  const rows = new Uint32Array(nImages);
  for (let i = 0; i < nImages; i++) rows[i] = i;
  return { rows, ptr, idx, val };
}

function copyGrow<T extends Uint32Array | Float32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

function runSpmm(dnn: SparseDnn, input: CsrMatrix, bias: number): { layerMs: number[]; y: Float32Array } {
  const B = input.rows;
  let x = input.toDense();
  const layerMs: number[] = [];
  for (const w of dnn.layers) {
    const b = new Float32Array(w.rows).fill(bias);
    const t0 = performance.now();
    x = spmmFast(x, w, b, B, 'relu-clamp', dnn.ymax);
    layerMs.push(performance.now() - t0);
  }
  return { layerMs, y: x };
}

function runDense(dnn: SparseDnn, input: CsrMatrix, bias: number): { layerMs: number[]; y: Float32Array } {
  const B = input.rows;
  let x = input.toDense();
  const weights = dnn.layers.map((w) => w.toDense()); // N × K out×in, row-major
  const layerMs: number[] = [];
  for (let l = 0; l < weights.length; l++) {
    const { rows: N, cols: K } = dnn.layers[l];
    const b = new Float32Array(N).fill(bias);
    const t0 = performance.now();
    x = matmulFast(x, weights[l], b, B, N, K, 'relu-clamp', dnn.ymax);
    layerMs.push(performance.now() - t0);
  }
  return { layerMs, y: x };
}
