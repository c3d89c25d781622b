// Host side of the WebAssembly SIMD CSR kernel (spmm.wat): y (B×N) = act(x (B×K) · Wᵀ + bias), W (N×K)
// out×in as CSR over output rows. Same contract and signature as spmmFast (src/math/spmm.ts).
// Three calls into the module (spmm.wat says why): x → xT, the product → yT, yT → y with the epilogue.
// The batch goes through in chunks of SPMM_CHUNK_ROWS rows. Per call, scratch from heap.scratchBase()
// (byte layout, 16-byte aligned regions; Bp = the chunk's rows rounded up to 4, the padded rows of x
// zero-filled, those of y computed and never copied out):
//   x (Bp·K f32) | xT (K·Bp f32) | rowPtr (N+1 u32) | colIdx (nnz u32) | values (nnz f32) | bias (N f32) |
//   yT (N·Bp f32) | y (Bp·N f32)
// The three CSR arrays are skipped when the matrix is resident (keepCsrResident: one block holding
// rowPtr, colIdx, values in that order), under the policy of heap.ts.

import type { ActivationName } from '../activations';
import type { CsrMatrix } from '../csr';
import { checkSpmmShapes } from '../matmulShapes';
import { geluInWasmMemory } from './gemmWasm';
import { align16, ensureMemory, lazyKernel, reserveResident, residentBlock, scratchBase } from './heap';
import { SPMM_WASM_BASE64 } from './spmm.wasm';

type TransposeExport = (
  src: number,
  rows: number,
  cols: number,
  dst: number,
  bias: number,
  hasBias: number,
  lo: number,
  hi: number,
  srcSequential: number,
) => void;
type SpmmExport = (
  xT: number,
  paddedBatch: number,
  rowPtr: number,
  colIdx: number,
  values: number,
  n: number,
  yT: number,
) => void;

interface SpmmKernel {
  transpose: TransposeExport;
  spmm: SpmmExport;
}

/**
 * Batch rows per pass, a multiple of 32 (the kernel's widest tile). One pass over all of B = 512 fell
 * from 21–26× over dense at B = 64 to 11–16× (density 1/64, this machine): xT (K × B floats) outgrew L2.
 * In chunks a pass holds xT (K × 32), yT and y (N × 32 each): 0.9 MB at N = 3072, K = 768, about L2.
 * Chunks of 32 measured 21–22× at B = 512 against 17–21× for 64 and 18–19× for 128 (±15 % noise).
 */
const SPMM_CHUNK_ROWS = 32;

const spmmKernel = lazyKernel<SpmmKernel>(SPMM_WASM_BASE64, ['transpose', 'spmm']);

/** True when the SIMD CSR kernel is compiled and usable in this realm. */
export function wasmSpmmAvailable(): boolean {
  return spmmKernel() !== null;
}

/** Bytes of the packed CSR block: rowPtr, colIdx, values, each 16-byte aligned. */
function csrLayout(csr: CsrMatrix): { colIdx: number; values: number; bytes: number } {
  const nnz = csr.rowPtr[csr.rows];
  const colIdx = align16((csr.rows + 1) * 4);
  const values = align16(colIdx + nnz * 4);
  return { colIdx, values, bytes: values + nnz * 4 };
}

function copyCsr(csr: CsrMatrix, ptr: number): void {
  const layout = csrLayout(csr);
  const { f32, u32 } = ensureMemory(ptr + layout.bytes);
  u32.set(csr.rowPtr, ptr >> 2);
  u32.set(csr.colIdx, (ptr + layout.colIdx) >> 2);
  f32.set(csr.values, (ptr + layout.values) >> 2);
}

/**
 * Copy a CSR weight into wasm memory once (see keepResident in heap.ts: the caller promises not to
 * modify its arrays afterwards). False when over the resident budget or unavailable.
 */
export function keepCsrResident(csr: CsrMatrix): boolean {
  if (!spmmKernel()) return false;
  return reserveResident(csr, csrLayout(csr).bytes, (ptr) => copyCsr(csr, ptr));
}

/**
 * spmmFast's contract, computed by the SIMD kernel (f32 accumulation in CSR order, then bias):
 * |y − spmmRef| ≤ 1e-5·√(nnz per row)·max|x|·max|w| + 1e-6·|y|, + 2.4e-7·|pre-activation| for GELU
 * (tests/unit/spmmWasm.test.ts).
 * Throws when unavailable (check wasmSpmmAvailable) or memory cannot grow (WasmMemoryError).
 */
export function spmmWasm(
  x: Float32Array,
  csr: CsrMatrix,
  bias: Float32Array | null,
  batch: number,
  activation: ActivationName = 'none',
  clampMax = 32,
  out?: Float32Array,
): Float32Array {
  checkSpmmShapes(x, csr, bias, batch);
  const { rows: N, cols: K } = csr;
  if (out && out.length !== batch * N) {
    throw new Error(`spmm: out has ${out.length} values, expected batch × N = ${batch}×${N}`);
  }
  const y = out ?? new Float32Array(batch * N);
  const kernel = spmmKernel();
  if (!kernel) throw new Error('spmmWasm: WebAssembly SIMD is not available here');
  if (batch === 0 || N === 0) return y;
  // Batch chunks of SPMM_CHUNK_ROWS: each chunk's xT (K × chunk) stays in L2 while the CSR rows pass.
  const chunkRows = Math.min(SPMM_CHUNK_ROWS, (batch + 3) & ~3);
  const held = residentBlock(csr);
  const layout = csrLayout(csr);
  const xPtr = scratchBase();
  const xTPtr = align16(xPtr + chunkRows * K * 4);
  const csrPtr = held ? held.ptr : align16(xTPtr + K * chunkRows * 4);
  const biasPtr = held ? align16(xTPtr + K * chunkRows * 4) : align16(csrPtr + layout.bytes);
  const yTPtr = align16(biasPtr + (bias ? N * 4 : 0));
  const yPtr = align16(yTPtr + N * chunkRows * 4);
  const { f32 } = ensureMemory(yPtr + chunkRows * N * 4);
  if (!held) copyCsr(csr, csrPtr);
  if (bias) f32.set(bias, biasPtr >> 2);
  const [lo, hi] = activation === 'relu-clamp' ? [0, clampMax] : [-Infinity, Infinity];
  for (let b0 = 0; b0 < batch; b0 += chunkRows) {
    const rows = Math.min(chunkRows, batch - b0);
    const padded = (rows + 3) & ~3;
    f32.set(x.subarray(b0 * K, (b0 + rows) * K), xPtr >> 2);
    f32.fill(0, (xPtr >> 2) + rows * K, (xPtr >> 2) + padded * K);
    // Walk x's rows (K·4 bytes apart) sequentially, stride down xT's (padded·4): see spmm.wat's transpose.
    kernel.transpose(xPtr, padded, K, xTPtr, 0, 0, -Infinity, Infinity, 1);
    kernel.spmm(xTPtr, padded, csrPtr, csrPtr + layout.colIdx, csrPtr + layout.values, N, yTPtr);
    kernel.transpose(yTPtr, N, padded, yPtr, biasPtr, bias ? 1 : 0, lo, hi, 0);
    // GELU by gemm.wat's SIMD form, in place, before the rows are copied out.
    if (activation === 'gelu') geluInWasmMemory(yPtr, rows * N);
    y.set(f32.subarray(yPtr >> 2, (yPtr >> 2) + rows * N), b0 * N);
  }
  return y;
}
