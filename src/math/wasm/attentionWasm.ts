// Host side of the WebAssembly SIMD attention kernel (attention.wat): causal multi-head attention over
// the KV cache, the same contract and signature as causalAttention (src/math/attention.ts), which it
// replaces on the CPU backend when the module is available and the head dimension is a multiple of 4.
// Per call, scratch from heap.scratchBase() (byte layout, 16-byte aligned regions; L = start + T):
//   qkv (T·3d f32) | K rows 0..L (L·d f32) | V rows 0..L (L·d f32) | out (T·d f32) | scores (4·cap f32)
// with cap = L rounded up to 4. The cache arrays are written in JavaScript (the new tokens' k and v) and
// their first L rows copied in: a memcpy of 2·L·d floats against 2·T·L·d multiply-adds of attention.
import { writeKv } from '../attention';
import { ATTENTION_WASM_BASE64 } from './attention.wasm';
import { align16, ensureMemory, instantiateKernel, scratchBase } from './heap';

type AttentionExport = (
  qkv: number,
  kc: number,
  vc: number,
  out: number,
  scores: number,
  T: number,
  start: number,
  nHead: number,
  d: number,
  scale: number,
  cap: number,
) => void;

function isAttentionExport(f: unknown): f is AttentionExport {
  return typeof f === 'function';
}

let state: AttentionExport | 'unavailable' | undefined;

function kernel(): AttentionExport | null {
  if (state === undefined) {
    const f = instantiateKernel(ATTENTION_WASM_BASE64)?.attention;
    state = isAttentionExport(f) ? f : 'unavailable';
  }
  return state === 'unavailable' ? null : state;
}

/** True when the SIMD attention kernel is compiled and usable in this realm. */
export function wasmAttentionAvailable(): boolean {
  return kernel() !== null;
}

/** Whether the kernel handles this head layout (head dimension a positive multiple of 4). */
export function wasmAttentionFits(d: number, nHead: number): boolean {
  const hd = d / nHead;
  return Number.isInteger(hd) && hd > 0 && hd % 4 === 0;
}

/**
 * causalAttention computed by attention.wat with f32 scores and accumulation (the reference keeps f64):
 * |out − ref| ≤ 1e-5·max|v| + 1e-5·|ref| at the shapes of tests/unit/attentionWasm.test.ts. Throws when
 * SIMD is unavailable (check wasmAttentionAvailable) or hd is not a multiple of 4 (wasmAttentionFits).
 */
export function causalAttentionWasm(
  qkv: Float32Array,
  T: number,
  start: number,
  nHead: number,
  d: number,
  cacheK: Float32Array,
  cacheV: Float32Array,
  out: Float32Array = new Float32Array(T * d),
): Float32Array {
  const attention = kernel();
  if (!attention) throw new Error('causalAttentionWasm: WebAssembly SIMD is not available here');
  if (!wasmAttentionFits(d, nHead)) {
    throw new Error(`causalAttentionWasm: head dimension ${d}/${nHead} is not a multiple of 4`);
  }
  writeKv(qkv, T, start, d, cacheK, cacheV); // validates the shapes too
  if (out.length < T * d)
    throw new Error(`causalAttentionWasm: out holds ${out.length} values, needs ${T * d}`);
  const len = start + T;
  const cap = (len + 3) & ~3;
  const qkvPtr = scratchBase();
  const kPtr = align16(qkvPtr + 4 * T * 3 * d);
  const vPtr = align16(kPtr + 4 * len * d);
  const outPtr = align16(vPtr + 4 * len * d);
  const scoresPtr = align16(outPtr + 4 * T * d);
  const view = ensureMemory(scoresPtr + 4 * 4 * cap).f32;
  view.set(qkv.subarray(0, T * 3 * d), qkvPtr >> 2);
  view.set(cacheK.subarray(0, len * d), kPtr >> 2);
  view.set(cacheV.subarray(0, len * d), vPtr >> 2);
  attention(qkvPtr, kPtr, vPtr, outPtr, scoresPtr, T, start, nHead, d, 1 / Math.sqrt(d / nHead), cap);
  out.set(view.subarray(outPtr >> 2, (outPtr >> 2) + T * d));
  return out;
}
