import { describe, expect, it } from 'vitest';
import { randomCsr } from '../../src/bench/matrices';
import { Rng } from '../../src/math/rng';

describe('randomCsr', () => {
  it('has the requested density exactly and is reproducible from the seed', () => {
    for (const density of [1, 1 / 4, 1 / 64, 1 / 1024]) {
      const a = randomCsr(new Rng(7), 300, 256, density);
      const b = randomCsr(new Rng(7), 300, 256, density);
      const expected = Math.max(300, Math.round(density * 300 * 256));
      expect(a.nnz).toBe(expected);
      expect(Array.from(a.colIdx)).toEqual(Array.from(b.colIdx));
      for (let r = 0; r < a.rows; r++) expect(a.rowLength(r)).toBeGreaterThanOrEqual(1);
    }
  });

  it('gives an empty matrix at density 0', () => {
    expect(randomCsr(new Rng(1), 5, 4, 0).nnz).toBe(0);
  });
});
