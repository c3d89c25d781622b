// The tuning's counts cover the shapes the model binds, not every shape ever cached on the adapter, and a
// shape counts as tuned only when the kernel it runs differs from today's default.
import { describe, expect, it } from 'vitest';
import { tuningLine } from '../../src/cli/tuneFlags';
import { type AdapterCaps, denseCandidates } from '../../src/gpu/autotune/candidates';
import type { PreparedTuning } from '../../src/gpu/autotune/prepare';
import { summarizeTuning } from '../../src/gpu/autotune/summary';
import { denseKey, KernelChooser, type TuningTable } from '../../src/gpu/autotune/table';
import { DEFAULT_CSR_TUNING } from '../../src/gpu/kernels/spmmCsr';

const caps: AdapterCaps = {
  fallbackAdapter: true,
  subgroups: false,
  maxInvocations: 256,
  maxWorkgroupStorage: 16384,
};
const chooserOf = (table: TuningTable, fresh: string[] = []) =>
  new KernelChooser(table, new Set(fresh), caps, DEFAULT_CSR_TUNING);

describe('tuning summary', () => {
  const won = { batch: 64, n: 96, k: 64 }; // a non-default candidate won
  const kept = { batch: 64, n: 128, k: 64 }; // tuned; the default won
  const unreached = { batch: 64, n: 160, k: 64 }; // the budget ran out
  const table: TuningTable = {
    [denseKey(won)]: { batch: 64, how: 'tuned', choice: denseCandidates(won, caps)[1] },
    [denseKey(kept)]: { batch: 64, how: 'tuned', choice: denseCandidates(kept, caps)[0] },
    [denseKey(unreached)]: { batch: 64, how: 'default', choice: denseCandidates(unreached, caps)[0] },
  };
  // Forty other shapes tuned on this adapter for other models, with the default kept.
  for (let n = 1; n <= 40; n++) {
    const shape = { batch: 64, n: n * 8, k: 768 };
    table[denseKey(shape)] = { batch: 64, how: 'tuned', choice: denseCandidates(shape, caps)[0] };
  }
  const request = { dense: [won, kept, won], csr: [], later: { dense: [unreached, kept], csr: [] } };

  it('counts the requested shapes only, and the default kept as not tuned', () => {
    const s = summarizeTuning(chooserOf(table, [denseKey(won)]), chooserOf({}), request);
    expect(s).toEqual({ shapes: 3, tunedNow: 1, tunedCached: 0, defaultKept: 1, notReached: 1 });
    const fromCache = summarizeTuning(chooserOf(table), chooserOf({}), request);
    expect(fromCache).toMatchObject({ tunedNow: 0, tunedCached: 1 });
  });

  it('the CLI line says so', () => {
    const chooser = chooserOf(table);
    const prepared: PreparedTuning = {
      chooser,
      cached: 3,
      cacheKey: 'k',
      summary: summarizeTuning(chooser, chooserOf({}), request),
    };
    expect(tuningLine(prepared)).toBe(
      'kernels: 1 of 3 shapes run a kernel tuned on this adapter (1 from the cache); ' +
        '1 default kept after tuning, 1 default (not reached)',
    );
  });
});
