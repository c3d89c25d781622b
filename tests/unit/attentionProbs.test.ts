// The heatmap's attention pattern against the attention the model runs: probs · V must equal
// causalAttention's output, rows sum to 1, nothing above the diagonal.
import { describe, expect, it } from 'vitest';
import { causalAttention } from '../../src/math/attention';
import { attentionProbs } from '../../src/math/attentionProbs';
import { Rng } from '../../src/math/rng';

describe('attentionProbs', () => {
  it('is the pattern causalAttention mixes the values with', () => {
    const [T, nHead, d] = [5, 3, 12];
    const hd = d / nHead;
    const qkv = new Rng(7).uniformArray(T * 3 * d);
    const probs = attentionProbs(qkv, T, nHead, d);
    const cacheK = new Float32Array(T * d);
    const cacheV = new Float32Array(T * d);
    for (let t = 0; t < T; t++) {
      cacheK.set(qkv.subarray(t * 3 * d + d, t * 3 * d + 2 * d), t * d);
      cacheV.set(qkv.subarray(t * 3 * d + 2 * d, t * 3 * d + 3 * d), t * d);
    }
    const ref = causalAttention(qkv, T, 0, nHead, d, cacheK, cacheV);
    for (let h = 0; h < nHead; h++)
      for (let t = 0; t < T; t++) {
        const row = probs.subarray((h * T + t) * T, (h * T + t + 1) * T);
        expect(row.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 6);
        for (let s = t + 1; s < T; s++) expect(row[s]).toBe(0);
        for (let i = 0; i < hd; i++) {
          let mixed = 0;
          for (let s = 0; s <= t; s++) mixed += row[s] * cacheV[s * d + h * hd + i];
          expect(mixed).toBeCloseTo(ref[t * d + h * hd + i], 5);
        }
      }
  });
});
