// Dense linear layer on the CPU: y (B×N) = x (B×K) · Wᵀ + bias, then an element-wise activation.
// x: (B, K) row-major, w: (N, K) out×in row-major, bias: (N) or null, y: (B, N) row-major.
// `matmulRef` is the oracle the GPU kernels are tested against; `matmulFast` is the CPU backend's hot loop:
// the WebAssembly SIMD kernel (src/math/wasm/gemm.wat) where the engine has SIMD and the product is big
// enough to pay for copying into wasm memory, else `matmulJs`, cache-blocked scalar JS.
import { type ActivationName, gelu, reluClamp } from './activations';
import { checkMatmulShapes, matmulOutput } from './matmulShapes';
import { noteWasmFallback } from './wasm/fallbacks';
import { matmulWasm, WasmMemoryError, wasmGemmAvailable } from './wasm/gemmWasm';

const checkShapes = checkMatmulShapes;

function activate(v: number, activation: ActivationName, clampMax: number): number {
  if (activation === 'gelu') return gelu(v);
  if (activation === 'relu-clamp') return reluClamp(v, clampMax);
  return v;
}

/** Obviously-correct oracle: one f64 dot product per output. */
export function matmulRef(
  x: Float32Array,
  w: Float32Array,
  bias: Float32Array | null,
  batch: number,
  n: number,
  k: number,
  activation: ActivationName = 'none',
  clampMax = 32,
): Float32Array {
  checkShapes(x, w, bias, batch, n, k);
  const y = new Float32Array(batch * n);
  for (let b = 0; b < batch; b++) {
    for (let j = 0; j < n; j++) {
      let sum = bias ? bias[j] : 0;
      for (let i = 0; i < k; i++) sum += x[b * k + i] * w[j * k + i];
      y[b * n + j] = activate(sum, activation, clampMax);
    }
  }
  return y;
}

/**
 * Output columns (rows of W) per cache block. The 3×4 micro-kernel streams 3 rows of x and 4 rows of W
 * along K; a block of 64 W rows (192 KiB at K = 768) stays in L2 while every batch row passes over it.
 * Blocking K as well was measured and bought nothing here (sequential streams prefetch well, and the
 * loop is bound by JS scalar arithmetic, not memory), so K is not blocked: each output keeps one f64
 * accumulator over the whole of K, which is also the most accurate order.
 */
const N_BLOCK = 64;

/**
 * Products with fewer multiply-adds (batch·n·k) than this take the JS path: there, copying x, W and y
 * through wasm memory and the call cost more than SIMD saves. Measured here (Node 20, W copied per call):
 * 3×7×5 (105 MACs) JS 0.4 µs vs wasm 0.7 µs; 1×16×16 (256) JS 1.1 vs wasm 0.7; 1×64×64 JS 2.5 vs 0.8.
 */
export const WASM_MIN_MACS = 256;

/** Which kernel matmulFast uses for products of at least WASM_MIN_MACS multiply-adds in this realm. */
export function denseCpuKernel(): 'wasm-simd' | 'js' {
  return wasmGemmAvailable() ? 'wasm-simd' : 'js';
}

/**
 * The CPU backend's dense kernel, same contract as `matmulRef`. Dispatches to the WebAssembly SIMD kernel
 * (f32 accumulation; |y − matmulRef| ≤ 1e-5·√K·max|x|·max|w| + 1e-6·|y|, + 2.4e-7·|pre-activation| for
 * its SIMD GELU) when available and
 * batch·n·k ≥ WASM_MIN_MACS, else to matmulJs (f64 accumulation, bit-identical to matmulRef before the
 * activation). The choice depends only on the shape and the engine, so a given call is deterministic.
 * Weights used many times at small batch should be made resident (keepResident in gemmWasm.ts).
 */
export function matmulFast(
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
  if (batch * n * k >= WASM_MIN_MACS && wasmGemmAvailable()) {
    try {
      return matmulWasm(x, w, bias, batch, n, k, activation, clampMax, out);
    } catch (e) {
      if (!(e instanceof WasmMemoryError)) throw e;
      noteWasmFallback('matmul', e);
      // wasm memory could not grow: the JS path needs no extra memory
    }
  }
  return matmulJs(x, w, bias, batch, n, k, activation, clampMax, out);
}

/**
 * Cache-blocked scalar JS kernel, same contract as `matmulRef`: each output is summed in f64 in the same
 * order (bias, then k = 0…K−1), so before the activation it equals matmulRef's bit for bit.
 * Measured on this project's 2-core AMD EPYC VM, Node 20, 64×768 · 768×3072: ≈4–5 GFLOP/s against ≈1.0–1.2
 * for a plain i-k-j loop (`npx tsx scripts/bench-cpu.ts` has it as "js-blocked").
 */
export function matmulJs(
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
  checkShapes(x, w, bias, batch, n, k);
  const y = matmulOutput(batch, n, out);
  for (let n0 = 0; n0 < n; n0 += N_BLOCK) {
    const n1 = Math.min(n, n0 + N_BLOCK);
    let b = 0;
    for (; b + 2 < batch; b += 3) block3Rows(x, w, bias, y, b, n0, n1, n, k);
    for (; b < batch; b++) block1Row(x, w, bias, y, b, n0, n1, n, k);
  }
  if (activation !== 'none') {
    for (let i = 0; i < batch * n; i++) y[i] = activate(y[i], activation, clampMax);
  }
  return y;
}

/** Rows b..b+2 of y, columns n0..n1: 3×4 outputs per pass over K, 12 accumulators in registers. */
function block3Rows(
  x: Float32Array,
  w: Float32Array,
  bias: Float32Array | null,
  y: Float32Array,
  b: number,
  n0: number,
  n1: number,
  n: number,
  k: number,
): void {
  const x0 = b * k;
  const x1 = x0 + k;
  const x2 = x1 + k;
  let j = n0;
  // biome-ignore format: the 3×4 register tile reads best one output row per line
  for (; j + 3 < n1; j += 4) {
    const w0 = j * k;
    const w1 = w0 + k;
    const w2 = w1 + k;
    const w3 = w2 + k;
    // Accumulators start at the bias so the sum runs in the same order as matmulRef's.
    const c0 = bias ? bias[j] : 0, c1 = bias ? bias[j + 1] : 0, c2 = bias ? bias[j + 2] : 0, c3 = bias ? bias[j + 3] : 0;
    let a00 = c0, a01 = c1, a02 = c2, a03 = c3;
    let a10 = c0, a11 = c1, a12 = c2, a13 = c3;
    let a20 = c0, a21 = c1, a22 = c2, a23 = c3;
    for (let i = 0; i < k; i++) {
      const v0 = w[w0 + i];
      const v1 = w[w1 + i];
      const v2 = w[w2 + i];
      const v3 = w[w3 + i];
      let p = x[x0 + i];
      a00 += p * v0; a01 += p * v1; a02 += p * v2; a03 += p * v3;
      p = x[x1 + i];
      a10 += p * v0; a11 += p * v1; a12 += p * v2; a13 += p * v3;
      p = x[x2 + i];
      a20 += p * v0; a21 += p * v1; a22 += p * v2; a23 += p * v3;
    }
    let o = b * n + j;
    y[o] = a00; y[o + 1] = a01; y[o + 2] = a02; y[o + 3] = a03;
    o += n;
    y[o] = a10; y[o + 1] = a11; y[o + 2] = a12; y[o + 3] = a13;
    o += n;
    y[o] = a20; y[o + 1] = a21; y[o + 2] = a22; y[o + 3] = a23;
  }
  for (; j < n1; j++) {
    const c = bias ? bias[j] : 0;
    y[b * n + j] = dot(c, x, x0, w, j * k, k);
    y[(b + 1) * n + j] = dot(c, x, x1, w, j * k, k);
    y[(b + 2) * n + j] = dot(c, x, x2, w, j * k, k);
  }
}

/** One row of y (batch remainder, and the whole of batch 1): 1×4 outputs per pass over K. */
function block1Row(
  x: Float32Array,
  w: Float32Array,
  bias: Float32Array | null,
  y: Float32Array,
  b: number,
  n0: number,
  n1: number,
  n: number,
  k: number,
): void {
  const x0 = b * k;
  let j = n0;
  for (; j + 3 < n1; j += 4) {
    const w0 = j * k;
    const w1 = w0 + k;
    const w2 = w1 + k;
    const w3 = w2 + k;
    let a0 = bias ? bias[j] : 0;
    let a1 = bias ? bias[j + 1] : 0;
    let a2 = bias ? bias[j + 2] : 0;
    let a3 = bias ? bias[j + 3] : 0;
    for (let i = 0; i < k; i++) {
      const p = x[x0 + i];
      a0 += p * w[w0 + i];
      a1 += p * w[w1 + i];
      a2 += p * w[w2 + i];
      a3 += p * w[w3 + i];
    }
    const o = b * n + j;
    y[o] = a0;
    y[o + 1] = a1;
    y[o + 2] = a2;
    y[o + 3] = a3;
  }
  for (; j < n1; j++) y[b * n + j] = dot(bias ? bias[j] : 0, x, x0, w, j * k, k);
}

function dot(start: number, x: Float32Array, xo: number, w: Float32Array, wo: number, k: number): number {
  let sum = start;
  for (let i = 0; i < k; i++) sum += x[xo + i] * w[wo + i];
  return sum;
}
