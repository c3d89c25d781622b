// Token + position embedding and its backward (a scatter-add into the tables).
//   x[b, t] = wte[tokens[b, t]] + wpe[t]     tokens: (B·T) ids, x: (B·T, d)

import type { Floats } from './floats';

/** x (B·T, d) for `batch` sequences of `T` tokens each, positions 0..T-1 in every sequence. */
export function embeddingForward(
  tokens: ArrayLike<number>,
  wte: Floats,
  wpe: Floats,
  batch: number,
  T: number,
  d: number,
  out: Floats,
): Floats {
  const vocab = wte.length / d;
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < T; t++) {
      const row = b * T + t;
      const id = tokens[row];
      if (!(id >= 0 && id < vocab))
        throw new Error(`embedding: token ${row} is ${id}, outside [0, ${vocab})`);
      const te = id * d;
      const pe = t * d;
      const o = row * d;
      for (let i = 0; i < d; i++) out[o + i] = wte[te + i] + wpe[pe + i];
    }
  }
  return out;
}

/** ADDS dx's rows into dwte[token] and dwpe[position] (dwte also holds the tied unembedding's gradient). */
export function embeddingBackward(
  dx: Floats,
  tokens: ArrayLike<number>,
  batch: number,
  T: number,
  d: number,
  dwte: Floats,
  dwpe: Floats,
): void {
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < T; t++) {
      const row = b * T + t;
      const te = tokens[row] * d;
      const pe = t * d;
      const o = row * d;
      for (let i = 0; i < d; i++) {
        dwte[te + i] += dx[o + i];
        dwpe[pe + i] += dx[o + i];
      }
    }
  }
}
