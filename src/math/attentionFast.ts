// The CPU backend's attention core: the WebAssembly SIMD kernel (src/math/wasm/attention.wat) where this
// engine has SIMD and the head dimension is a multiple of 4 (every GPT-2 checkpoint: 64; the presets
// 'gpt2-small' 64 and 'tiny' 16), else the JavaScript reference causalAttention. Same contract.
import { causalAttention } from './attention';
import { causalAttentionWasm, wasmAttentionAvailable, wasmAttentionFits } from './wasm/attentionWasm';
import { noteWasmFallback } from './wasm/fallbacks';
import { WasmMemoryError } from './wasm/heap';

/** Which implementation causalAttentionFast runs for this head layout. */
export function attentionKernelFor(d: number, nHead: number): 'wasm-simd' | 'js' {
  return wasmAttentionFits(d, nHead) && wasmAttentionAvailable() ? 'wasm-simd' : 'js';
}

export function causalAttentionFast(
  qkv: Float32Array,
  T: number,
  start: number,
  nHead: number,
  d: number,
  cacheK: Float32Array,
  cacheV: Float32Array,
  out?: Float32Array,
): Float32Array {
  if (attentionKernelFor(d, nHead) === 'wasm-simd') {
    try {
      return causalAttentionWasm(qkv, T, start, nHead, d, cacheK, cacheV, out);
    } catch (err) {
      // out of wasm memory (it cannot grow, or past heap.ts's 2 GiB limit): the JS kernel still works
      if (!(err instanceof WasmMemoryError)) throw err;
      noteWasmFallback('attention', err);
    }
  }
  return causalAttention(qkv, T, start, nHead, d, cacheK, cacheV, out);
}
