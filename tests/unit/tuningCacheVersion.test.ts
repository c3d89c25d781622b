// The cache's kernel version follows the candidate lists themselves: changing a default tuning (or any
// option or rule that picks the candidates) changes the key, with nothing to bump by hand.
import { describe, expect, it, vi } from 'vitest';

const changed = { on: false };
vi.mock('../../src/gpu/kernels/matmul', async (orig) => {
  const real = (await orig()) as typeof import('../../src/gpu/kernels/matmul');
  return {
    ...real,
    denseTuningFor: (fallback: boolean) => {
      const t = real.denseTuningFor(fallback);
      return changed.on ? { ...t, gemv: { ...t.gemv, ROWS: t.gemv.ROWS * 2 } } : t;
    },
  };
});

import { kernelVersion } from '../../src/gpu/autotune/cache';

describe('the tuning cache version', () => {
  it('changes when the candidate lists change', () => {
    const before = kernelVersion();
    expect(kernelVersion()).toBe(before);
    changed.on = true;
    expect(kernelVersion()).not.toBe(before);
  });
});
