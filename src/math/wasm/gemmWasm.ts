// Host side of the WebAssembly SIMD dense kernel (gemm.wat): y (B×N) = act(x (B×K) · Wᵀ + bias).
// x: (B, K) row-major, w: (N, K) out×in row-major, bias: (N) or null, y: (B, N) row-major.
// The module (≈1.5 KB) is compiled synchronously on first use, in a page, a Worker or Node alike, against
// the memory of src/math/wasm/heap.ts, which also holds the resident-weight policy (keepResident).
// Per call, scratch from heap.scratchBase(): x (B·K), W unless resident (N·K), bias (N), y (B·N).
import type { ActivationName } from '../activations';
import { checkMatmulShapes, matmulOutput } from '../matmulShapes';
import { GEMM_WASM_BASE64 } from './gemm.wasm';
import { align16, ensureMemory, lazyKernel, residentBlock, scratchBase } from './heap';

export {
  isResident,
  keepResident,
  releaseResident,
  setResidentBudget,
  WasmMemoryError,
  wasmMemoryBytes,
  wasmSimdSupported,
} from './heap';

/**
 * Bytes of x per batch block: the kernel takes ⌊this / 4K⌋ batch rows at a time so their slice of x
 * stays in L2 while every group of 4 W rows passes over it (84 rows at K = 768, 20 at K = 3072).
 */
const X_BLOCK_BYTES = 256 * 1024;

type GemmExport = (
  x: number,
  w: number,
  bias: number,
  hasBias: number,
  y: number,
  batch: number,
  n: number,
  k: number,
  act: number,
  clampMax: number,
  rowsPerBlock: number,
) => void;

type GeluExport = (ptr: number, count: number) => void;

const exportsOrNull = lazyKernel<{ gemm: GemmExport; gelu: GeluExport }>(GEMM_WASM_BASE64, ['gemm', 'gelu']);

function gemmKernel(): GemmExport | null {
  return exportsOrNull()?.gemm ?? null;
}

/**
 * GELU in place over `count` floats already in wasm memory at byte address `ptr`: the SIMD form of
 * activations.ts gelu, tanh by a rational approximation, |Δ| ≤ 2.4e-7·|x| + 1e-6·|gelu(x)|. For other
 * kernels' hosts (spmmWasm); throws when the module is unavailable.
 */
export function geluInWasmMemory(ptr: number, count: number): void {
  const kernel = exportsOrNull();
  if (!kernel) throw new Error('geluInWasmMemory: WebAssembly SIMD is not available here');
  kernel.gelu(ptr, count);
}

/** True when the SIMD kernel is compiled and usable in this realm (feature present, compile allowed). */
export function wasmGemmAvailable(): boolean {
  return gemmKernel() !== null;
}

/** Batch rows per block for a given K (see X_BLOCK_BYTES): even, so the 2×4 tiles fill it, and ≥ 1. */
export function rowsPerBlock(k: number): number {
  const rows = Math.floor(X_BLOCK_BYTES / Math.max(1, 4 * k));
  return rows >= 2 ? rows & ~1 : 1;
}

/**
 * Same contract as matmulFast (src/math/matmul.ts), computed by the WebAssembly SIMD kernel with f32
 * accumulation: |y − matmulRef| ≤ 1e-5·√K·max|x|·max|w| + 1e-6·|y|, + 2.4e-7·|pre-activation| for GELU,
 * which runs in the kernel's epilogue with a rational tanh (tests/unit/gemmWasm.test.ts).
 * Throws when SIMD is unavailable (check wasmGemmAvailable) or memory cannot grow (WasmMemoryError).
 */
export function matmulWasm(
  x: Float32Array,
  w: Float32Array,
  bias: Float32Array | null,
  batch: number,
  n: number,
  k: number,
  activation: ActivationName = 'none',
  clampMax = 32,
  out?: Float32Array,
): Float32Array {
  checkMatmulShapes(x, w, bias, batch, n, k);
  const y = matmulOutput(batch, n, out);
  const gemm = gemmKernel();
  if (!gemm) throw new Error('matmulWasm: WebAssembly SIMD is not available here');
  if (batch === 0 || n === 0) return y;
  const held = residentBlock(w);
  const xPtr = scratchBase();
  const wPtr = held ? held.ptr : align16(xPtr + batch * k * 4);
  const biasPtr = align16(held ? xPtr + batch * k * 4 : wPtr + n * k * 4);
  const yPtr = align16(biasPtr + (bias ? n * 4 : 0));
  const view = ensureMemory(yPtr + batch * n * 4).f32;
  view.set(x.length === batch * k ? x : x.subarray(0, batch * k), xPtr >> 2);
  if (!held) view.set(w.length === n * k ? w : w.subarray(0, n * k), wPtr >> 2);
  if (bias) view.set(bias.length === n ? bias : bias.subarray(0, n), biasPtr >> 2);
  const act = activation === 'relu-clamp' ? 1 : activation === 'gelu' ? 2 : 0;
  gemm(xPtr, wPtr, biasPtr, bias ? 1 : 0, yPtr, batch, n, k, act, clampMax, rowsPerBlock(k));
  const yStart = yPtr >> 2;
  y.set(view.subarray(yStart, yStart + batch * n));
  return y;
}
