// Softmax cross-entropy over the vocabulary, averaged over the rows that have a target.
//   loss = (1/n) Σ_r [logsumexp(z_r) − z_r[target_r]],   dz_r = (softmax(z_r) − onehot(target_r)) / n
// Rows with target −1 are ignored (no loss, zero gradient); n counts the others.

import type { Floats } from './floats';

export interface CrossEntropyResult {
  /** Mean loss over the counted rows (nats). */
  loss: number;
  /** Rows with a target. */
  count: number;
}

/** logits, dlogits: (rows, vocab). Writes dlogits when given (may alias logits). */
export function softmaxCrossEntropy(
  logits: Floats,
  targets: ArrayLike<number>,
  rows: number,
  vocab: number,
  dlogits: Floats | null,
): CrossEntropyResult {
  let count = 0;
  for (let r = 0; r < rows; r++) if (targets[r] >= 0) count++;
  const inv = count > 0 ? 1 / count : 0;
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const base = r * vocab;
    const target = targets[r];
    if (target < 0) {
      if (dlogits) dlogits.fill(0, base, base + vocab);
      continue;
    }
    if (target >= vocab) throw new Error(`cross-entropy: target ${target} at row ${r} outside [0, ${vocab})`);
    let max = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < vocab; i++) if (logits[base + i] > max) max = logits[base + i];
    let sum = 0;
    for (let i = 0; i < vocab; i++) sum += Math.exp(logits[base + i] - max);
    const logSum = max + Math.log(sum);
    total += logSum - logits[base + target];
    if (dlogits) {
      for (let i = 0; i < vocab; i++) dlogits[base + i] = Math.exp(logits[base + i] - logSum) * inv;
      dlogits[base + target] -= inv;
    }
  }
  return { loss: total * inv, count };
}
