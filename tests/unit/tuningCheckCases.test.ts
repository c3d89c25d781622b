// A candidate's check covers what its choice will serve: the batch tuned for and up to 8× it (the chooser's
// reach), the GELU epilogue and layers without a bias — never a tile multiple (batches capped at 37).
import { describe, expect, it } from 'vitest';
import { checkCases } from '../../src/gpu/autotune/trials';

describe('the candidate check', () => {
  it('runs as timed, at 8× the batch, and with GELU and no bias', () => {
    expect(checkCases(1)).toEqual([
      { batch: 1, activation: 'none', bias: true },
      { batch: 8, activation: 'none', bias: true },
      { batch: 8, activation: 'gelu', bias: false },
    ]);
    expect(checkCases(64)).toEqual([
      { batch: 37, activation: 'none', bias: true },
      { batch: 37, activation: 'gelu', bias: false },
    ]);
  });
});
