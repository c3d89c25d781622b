// Next-token choice from a logits row: greedy (argmax) or top-k sampling with a temperature.
import type { Rng } from './rng';

export function argmax(logits: ArrayLike<number>, offset = 0, length = logits.length - offset): number {
  let best = 0;
  let bestValue = -Infinity;
  for (let i = 0; i < length; i++) {
    const v = logits[offset + i];
    if (v > bestValue) {
      bestValue = v;
      best = i;
    }
  }
  return best;
}

/** Softmax probabilities of a logits row (f64 internally). */
export function softmax(logits: ArrayLike<number>, temperature = 1): Float64Array {
  const out = new Float64Array(logits.length);
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    out[i] = Math.exp((logits[i] - max) / temperature);
    sum += out[i];
  }
  for (let i = 0; i < out.length; i++) out[i] /= sum;
  return out;
}

/** The k most likely tokens with their probabilities, most likely first (ties: lower id first). */
export function topK(logits: ArrayLike<number>, k: number): { id: number; p: number }[] {
  const probs = softmax(logits);
  const ids = Array.from({ length: logits.length }, (_, i) => i);
  ids.sort((a, b) => probs[b] - probs[a] || a - b);
  return ids.slice(0, Math.max(0, k)).map((id) => ({ id, p: probs[id] }));
}

export interface SamplingOptions {
  /** 0 or 1 = greedy; otherwise sample among the k most likely. */
  topK?: number;
  temperature?: number;
  rng?: Rng;
}

export function sampleToken(logits: ArrayLike<number>, options: SamplingOptions = {}): number {
  const k = options.topK ?? 0;
  if (k <= 1 || !options.rng) return argmax(logits);
  const temperature = options.temperature ?? 1;
  const candidates = topK(logits, k);
  const weights = candidates.map((c) => c.p ** (1 / temperature));
  const total = weights.reduce((a, b) => a + b, 0);
  let r = options.rng.next() * total;
  for (let i = 0; i < candidates.length; i++) {
    r -= weights[i];
    if (r <= 0) return candidates[i].id;
  }
  return candidates[candidates.length - 1].id;
}
