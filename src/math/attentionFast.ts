// The CPU backend's attention core: the WebAssembly SIMD kernel (src/math/wasm/attention.wat) where this
// engine has SIMD and the head dimension is a multiple of 4 (every GPT-2 checkpoint: 64; the presets
// 'gpt2-small' 64 and 'tiny' 16), else the JavaScript reference causalAttention. Same contract.
import { causalAttention } from './attention';
import { causalAttentionWasm, wasmAttentionAvailable, wasmAttentionFits } from './wasm/attentionWasm';

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
  return attentionKernelFor(d, nHead) === 'wasm-simd'
    ? causalAttentionWasm(qkv, T, start, nHead, d, cacheK, cacheV, out)
    : causalAttention(qkv, T, start, nHead, d, cacheK, cacheV, out);
}
