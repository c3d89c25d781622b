// Causal multi-head self-attention over whole sequences (no KV cache), forward with saved probabilities,
// and backward. Layout as in src/math/attention.ts: qkv (B·T, 3d) per token = [q (d) | k (d) | v (d)],
// head h owning columns h·hd..(h+1)·hd−1 of each part; out (B·T, d), heads concatenated. The forward
// repeats causalAttention's arithmetic (f64 scores scaled by 1/√hd, max-subtracted exp, f64 output
// accumulator, same summation order), so the two agree bit for bit.
//   S = q·kᵀ/√hd (j ≤ i),  P = softmax_j(S),  y_i = Σ_j P_ij v_j
//   dP_ij = dy_i·v_j,  dv_j = Σ_i P_ij dy_i,  dS_ij = P_ij (dP_ij − Σ_j' P_ij' dP_ij'),
//   dq_i = Σ_j dS_ij k_j/√hd,  dk_j = Σ_i dS_ij q_i/√hd
// (Gathering each head into contiguous f64 tiles first was tried and measured slower here.)

import type { Floats } from './floats';

export interface AttentionShape {
  batch: number;
  T: number;
  nHead: number;
  d: number;
}

/** Saved probabilities: (B, H, T, T), row i filled for j ≤ i, zero above the diagonal. */
export function probsLength({ batch, T, nHead }: AttentionShape): number {
  return batch * nHead * T * T;
}

export function attentionForward(qkv: Floats, shape: AttentionShape, probs: Floats, out: Floats): Floats {
  const { batch, T, nHead, d } = shape;
  const hd = d / nHead;
  const d3 = 3 * d;
  const scale = 1 / Math.sqrt(hd);
  const scores = new Float64Array(T);
  const acc = new Float64Array(hd);
  for (let b = 0; b < batch; b++) {
    const row0 = b * T;
    for (let i = 0; i < T; i++) {
      for (let h = 0; h < nHead; h++) {
        const q = (row0 + i) * d3 + h * hd;
        let max = Number.NEGATIVE_INFINITY;
        for (let j = 0; j <= i; j++) {
          const kb = (row0 + j) * d3 + d + h * hd;
          let s = 0;
          for (let c = 0; c < hd; c++) s += qkv[q + c] * qkv[kb + c];
          s *= scale;
          scores[j] = s;
          if (s > max) max = s;
        }
        let sum = 0;
        for (let j = 0; j <= i; j++) {
          const e = Math.exp(scores[j] - max);
          scores[j] = e;
          sum += e;
        }
        const pBase = ((b * nHead + h) * T + i) * T;
        acc.fill(0);
        for (let j = 0; j <= i; j++) {
          const p = scores[j] / sum;
          probs[pBase + j] = p;
          const vb = (row0 + j) * d3 + 2 * d + h * hd;
          for (let c = 0; c < hd; c++) acc[c] += p * qkv[vb + c];
        }
        probs.fill(0, pBase + i + 1, pBase + T);
        const o = (row0 + i) * d + h * hd;
        for (let c = 0; c < hd; c++) out[o + c] = acc[c];
      }
    }
  }
  return out;
}

/** Overwrites dqkv (B·T, 3d) with the gradient of the attention output given dout (B·T, d). */
export function attentionBackward(
  dout: Floats,
  qkv: Floats,
  probs: Floats,
  shape: AttentionShape,
  dqkv: Floats,
): Floats {
  const { batch, T, nHead, d } = shape;
  const hd = d / nHead;
  const d3 = 3 * d;
  const scale = 1 / Math.sqrt(hd);
  const dP = new Float64Array(T);
  dqkv.fill(0);
  for (let b = 0; b < batch; b++) {
    const row0 = b * T;
    for (let h = 0; h < nHead; h++) {
      for (let i = 0; i < T; i++) {
        const pBase = ((b * nHead + h) * T + i) * T;
        const dy = (row0 + i) * d + h * hd;
        const q = (row0 + i) * d3 + h * hd;
        let dot = 0;
        for (let j = 0; j <= i; j++) {
          const vb = (row0 + j) * d3 + 2 * d + h * hd;
          const p = probs[pBase + j];
          let s = 0;
          for (let c = 0; c < hd; c++) {
            s += dout[dy + c] * qkv[vb + c];
            dqkv[vb + c] += p * dout[dy + c];
          }
          dP[j] = s;
          dot += p * s;
        }
        for (let j = 0; j <= i; j++) {
          const dS = probs[pBase + j] * (dP[j] - dot) * scale;
          if (dS === 0) continue;
          const kb = (row0 + j) * d3 + d + h * hd;
          for (let c = 0; c < hd; c++) {
            dqkv[q + c] += dS * qkv[kb + c];
            dqkv[kb + c] += dS * qkv[q + c];
          }
        }
      }
    }
  }
  return dqkv;
}
