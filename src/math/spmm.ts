// CSR sparse × dense products on the CPU: the oracle the GPU kernels are held against (spmmRef) and the
// CPU backend's kernel (spmmFast).
// x: (B, K) row-major, W: (N, K) out×in as CSR over output rows, bias: (N) or null, y: (B, N) row-major.
// y = act(x · Wᵀ + bias), act per src/math/activations.ts (the kernels' fused epilogue).

import { type ActivationName, applyActivation } from './activations';
import type { CsrMatrix } from './csr';
import { checkSpmmShapes } from './matmulShapes';
import { noteWasmFallback } from './wasm/fallbacks';
import { WasmMemoryError } from './wasm/heap';
import { spmmWasm, wasmSpmmAvailable } from './wasm/spmmWasm';

/** Batch rows that spmmFast processes per pass over the CSR arrays (each nonzero is reused this often). */
export const SPMM_FAST_TILE = 8;

/** Oracle: every output accumulated in f64, then bias, rounded to f32, then the activation. */
export function spmmRef(
  x: Float32Array,
  csr: CsrMatrix,
  bias: Float32Array | null,
  batch: number,
  activation: ActivationName = 'none',
  clampMax = 32,
): Float32Array {
  checkSpmmShapes(x, csr, bias, batch);
  const { rows, cols, rowPtr, colIdx, values } = csr;
  const y = new Float32Array(batch * rows);
  for (let b = 0; b < batch; b++) {
    const xBase = b * cols;
    for (let n = 0; n < rows; n++) {
      let acc = 0;
      for (let i = rowPtr[n]; i < rowPtr[n + 1]; i++) acc += values[i] * x[xBase + colIdx[i]];
      y[b * rows + n] = acc + (bias ? bias[n] : 0);
    }
  }
  return applyActivation(y, activation, clampMax);
}

/** Batches from which the WASM SIMD kernel (vectorised over batch rows) beats the JS one (measured). */
const SPMM_WASM_MIN_BATCH = 8;

/**
 * The CPU backend's SpMM: the WASM SIMD kernel (src/math/wasm/spmm.wat, f32 accumulation) for batches of
 * SPMM_WASM_MIN_BATCH rows or more where WebAssembly SIMD exists, else spmmJs. Same contract as spmmRef.
 */
export function spmmFast(
  x: Float32Array,
  csr: CsrMatrix,
  bias: Float32Array | null,
  batch: number,
  activation: ActivationName = 'none',
  clampMax = 32,
  out?: Float32Array,
): Float32Array {
  if (batch >= SPMM_WASM_MIN_BATCH && wasmSpmmAvailable()) {
    try {
      return spmmWasm(x, csr, bias, batch, activation, clampMax, out);
    } catch (err) {
      if (!(err instanceof WasmMemoryError)) throw err; // out of wasm memory: the JS kernel still works
      noteWasmFallback('spmm', err);
    }
  }
  return spmmJs(x, csr, bias, batch, activation, clampMax, out);
}

/**
 * JS CPU SpMM, cost ∝ nnz·B. Batch rows are taken SPMM_FAST_TILE at a time: one pass over the CSR
 * arrays per tile, each (col, value) loaded once and used for the whole tile, with the tile's slice of
 * x (TILE × K floats, 24 KiB at K = 768) staying in cache. The leftover rows (B mod TILE) go one at a time.
 * Accumulates in JS numbers (f64). `out` (B × N) is overwritten and returned when given.
 */
function spmmJs(
  x: Float32Array,
  csr: CsrMatrix,
  bias: Float32Array | null,
  batch: number,
  activation: ActivationName = 'none',
  clampMax = 32,
  out?: Float32Array,
): Float32Array {
  checkSpmmShapes(x, csr, bias, batch);
  const { rows: N, cols: K, rowPtr, colIdx, values } = csr;
  if (out && out.length !== batch * N) {
    throw new Error(`spmm: out has ${out.length} values, expected batch × N = ${batch}×${N}`);
  }
  const y = out ?? new Float32Array(batch * N);
  let b0 = 0;
  for (; b0 + SPMM_FAST_TILE <= batch; b0 += SPMM_FAST_TILE)
    tile8(x, b0, K, N, rowPtr, colIdx, values, bias, y);
  for (; b0 < batch; b0++) {
    const xBase = b0 * K;
    const yBase = b0 * N;
    for (let n = 0; n < N; n++) {
      let acc = bias ? bias[n] : 0;
      const end = rowPtr[n + 1];
      for (let i = rowPtr[n]; i < end; i++) acc += values[i] * x[xBase + colIdx[i]];
      y[yBase + n] = acc;
    }
  }
  return applyActivation(y, activation, clampMax);
}

/** y rows b0..b0+7 = x rows b0..b0+7 · Wᵀ + bias: eight accumulators in registers per output neuron. */
function tile8(
  x: Float32Array,
  b0: number,
  K: number,
  N: number,
  rowPtr: Uint32Array,
  colIdx: Uint32Array,
  values: Float32Array,
  bias: Float32Array | null,
  y: Float32Array,
): void {
  const x0 = b0 * K;
  const x1 = x0 + K;
  const x2 = x1 + K;
  const x3 = x2 + K;
  const x4 = x3 + K;
  const x5 = x4 + K;
  const x6 = x5 + K;
  const x7 = x6 + K;
  const y0 = b0 * N;
  for (let n = 0; n < N; n++) {
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    let a4 = 0;
    let a5 = 0;
    let a6 = 0;
    let a7 = 0;
    const end = rowPtr[n + 1];
    for (let i = rowPtr[n]; i < end; i++) {
      const c = colIdx[i];
      const v = values[i];
      a0 += v * x[x0 + c];
      a1 += v * x[x1 + c];
      a2 += v * x[x2 + c];
      a3 += v * x[x3 + c];
      a4 += v * x[x4 + c];
      a5 += v * x[x5 + c];
      a6 += v * x[x6 + c];
      a7 += v * x[x7 + c];
    }
    const bn = bias ? bias[n] : 0;
    const o = y0 + n;
    y[o] = a0 + bn;
    y[o + N] = a1 + bn;
    y[o + 2 * N] = a2 + bn;
    y[o + 3 * N] = a3 + bn;
    y[o + 4 * N] = a4 + bn;
    y[o + 5 * N] = a5 + bn;
    y[o + 6 * N] = a6 + bn;
    y[o + 7 * N] = a7 + bn;
  }
}
