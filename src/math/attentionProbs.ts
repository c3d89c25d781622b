// The attention pattern itself (what causalAttention mixes with, but does not keep): per head, for every
// query position t, softmax over key positions 0..t of q·k/√hd. For the heatmap of one layer; small T only.
// qkv: (T, 3d) row-major (q | k | v per row, heads concatenated); out: (nHead, T, T), 0 above the diagonal.

export function attentionProbs(qkv: Float32Array, T: number, nHead: number, d: number): Float32Array {
  const hd = d / nHead;
  if (!Number.isInteger(hd)) throw new Error(`attentionProbs: d ${d} is not divisible by nHead ${nHead}`);
  if (qkv.length !== T * 3 * d)
    throw new Error(`attentionProbs: qkv has ${qkv.length} values, expected ${T}×${3 * d}`);
  const out = new Float32Array(nHead * T * T);
  const scores = new Float64Array(T);
  const scale = 1 / Math.sqrt(hd);
  for (let h = 0; h < nHead; h++) {
    for (let t = 0; t < T; t++) {
      const q = t * 3 * d + h * hd;
      let max = Number.NEGATIVE_INFINITY;
      for (let s = 0; s <= t; s++) {
        const k = s * 3 * d + d + h * hd;
        let dot = 0;
        for (let i = 0; i < hd; i++) dot += qkv[q + i] * qkv[k + i];
        scores[s] = dot * scale;
        if (scores[s] > max) max = scores[s];
      }
      let sum = 0;
      for (let s = 0; s <= t; s++) {
        scores[s] = Math.exp(scores[s] - max);
        sum += scores[s];
      }
      const row = (h * T + t) * T;
      for (let s = 0; s <= t; s++) out[row + s] = scores[s] / sum;
    }
  }
  return out;
}
