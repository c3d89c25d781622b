// The WebAssembly SIMD attention kernel (src/math/wasm/attention.wat) against causalAttention (f64):
// odd T across the 4-query blocks, every head layout the presets and the trained pair use, prefill from a
// filled KV cache, token-by-token decoding, scores far apart (the softmax's max and exp), poisoned outputs.
import { describe, expect, it } from 'vitest';
import { causalAttention } from '../../src/math/attention';
import { attentionKernelFor, causalAttentionFast } from '../../src/math/attentionFast';
import { Rng } from '../../src/math/rng';
import { causalAttentionWasm, wasmAttentionAvailable } from '../../src/math/wasm/attentionWasm';

/** |Δ| ≤ 1e-5·max|v| + 1e-5·|ref|: f32 scores, exp and sums against the reference's f64. */
function expectMatches(actual: Float32Array, expected: Float32Array, maxV: number, label: string): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= 1e-5 * maxV + 1e-5 * Math.abs(expected[i]))) {
      throw new Error(`${label}: out[${i}] = ${actual[i]}, reference ${expected[i]}`);
    }
  }
}

/** Run both on copies of one cache; the wasm output starts as NaN so an unwritten element fails. */
function compare(seed: number, T: number, start: number, nHead: number, d: number, spread = 2): void {
  const rng = new Rng(seed);
  const capacity = start + T + 3;
  const cacheK = rng.uniformArray(capacity * d, -spread, spread); // rows ≥ start+T must not be read
  const cacheV = rng.uniformArray(capacity * d, -1, 1);
  const qkv = rng.uniformArray(T * 3 * d, -spread, spread);
  for (let i = 2 * d; i < qkv.length; i += 3 * d) qkv.fill(0.5, i, i + 1); // some v exactly equal
  const refK = cacheK.slice();
  const refV = cacheV.slice();
  const expected = causalAttention(qkv, T, start, nHead, d, refK, refV);
  const out = new Float32Array(T * d).fill(Number.NaN);
  causalAttentionWasm(qkv, T, start, nHead, d, cacheK, cacheV, out);
  expect(cacheK).toEqual(refK);
  expect(cacheV).toEqual(refV);
  expectMatches(out, expected, 1, `T ${T} start ${start} ${nHead}×${d / nHead}`);
}

describe('WebAssembly SIMD attention', () => {
  it('is available in this Node, so the tests below exercise it', () => {
    expect(wasmAttentionAvailable()).toBe(true);
    expect(attentionKernelFor(768, 12)).toBe('wasm-simd');
    expect(attentionKernelFor(12, 2)).toBe('js'); // 'test' preset: hd 6
  });

  it('matches causalAttention at odd T around the 4-query blocks, every preset head layout', () => {
    const layouts = [
      { nHead: 12, d: 768 }, // gpt2-small and every HF GPT-2 (hd 64)
      { nHead: 4, d: 64 }, // 'tiny' and the trained pair (hd 16)
      { nHead: 3, d: 12 }, // hd 4, the smallest the kernel takes
    ];
    let seed = 1;
    for (const { nHead, d } of layouts) {
      for (const T of [1, 2, 3, 5, 7, 13]) compare(seed++, T, 0, nHead, d);
    }
  });

  it('continues from a filled KV cache: prefill after a prefix, and decoding token by token', () => {
    for (const start of [1, 3, 6, 29]) compare(100 + start, 5, start, 4, 64);
    for (let start = 0; start < 9; start++) compare(200 + start, 1, start, 12, 768);
  });

  it('keeps a softmax dominated by one key exact (scores far apart, max subtracted before exp)', () => {
    compare(300, 9, 4, 4, 64, 12); // |scores| up to 12²·16/4 = 576: exp would overflow without the max
  });

  it('token-by-token equals one prefill (same cache, same outputs)', () => {
    const rng = new Rng(7);
    const T = 11;
    const nHead = 4;
    const d = 64;
    const qkv = rng.uniformArray(T * 3 * d, -2, 2);
    const k1 = new Float32Array(T * d);
    const v1 = new Float32Array(T * d);
    const whole = causalAttentionWasm(qkv, T, 0, nHead, d, k1, v1);
    const k2 = new Float32Array(T * d);
    const v2 = new Float32Array(T * d);
    for (let t = 0; t < T; t++) {
      const row = causalAttentionFast(qkv.subarray(t * 3 * d, (t + 1) * 3 * d), 1, t, nHead, d, k2, v2);
      expectMatches(row, whole.subarray(t * d, (t + 1) * d), 1, `token ${t}`);
    }
    expect(k2).toEqual(k1);
  });

  it('refuses bad shapes with a message', () => {
    const qkv = new Float32Array(3 * 12);
    const cache = new Float32Array(12);
    expect(() => causalAttentionWasm(qkv, 1, 0, 2, 12, cache, cache.slice())).toThrow(/multiple of 4/);
    expect(() => causalAttentionWasm(qkv, 1, 1, 3, 12, cache, cache.slice())).toThrow(/capacity/);
  });
});
