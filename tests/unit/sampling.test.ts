import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/math/rng';
import { argmax, sampleToken, softmax, topK } from '../../src/math/sampling';

describe('sampling', () => {
  it('greedy picks the argmax (first of ties)', () => {
    expect(argmax([0.1, 3, -2, 3])).toBe(1);
    expect(sampleToken([0.1, 3, -2, 2.9])).toBe(1);
  });

  it('softmax sums to one and is shift invariant', () => {
    const p = softmax([1, 2, 3]);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    const q = softmax([1001, 1002, 1003]);
    p.forEach((v, i) => {
      expect(q[i]).toBeCloseTo(v, 12);
    });
  });

  it('top-k lists the most likely tokens with probabilities', () => {
    const top = topK([0, 5, 1, 4], 2);
    expect(top.map((t) => t.id)).toEqual([1, 3]);
    expect(top[0].p).toBeGreaterThan(top[1].p);
  });

  it('top-k sampling only ever returns one of the k best, and follows the probabilities', () => {
    const rng = new Rng(3);
    const logits = [0, Math.log(3), -10, Math.log(1)];
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[sampleToken(logits, { topK: 2, rng })]++;
    expect(counts[2]).toBe(0);
    expect(counts[0] + counts[3]).toBeLessThan(counts[1]); // tokens 0 and 3 tie at p=1/5; only one of them is in the top 2
    expect(counts[1] / 4000).toBeGreaterThan(0.7); // 3/4 of the top-2 mass
    expect(counts[1] / 4000).toBeLessThan(0.8);
  });
});
