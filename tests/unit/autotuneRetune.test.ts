// What a retune tunes and in what order (retunePlan.ts): the shapes never compared (absent from the cache,
// or left at the default because the budget ran out) before those compared, so repeated retunes on a slow
// adapter reach new shapes; only the shapes asked for; an old entry without a reason counts as compared;
// merging a run back keeps the cache's other shapes.
import { describe, expect, it } from 'vitest';
import {
  type AdapterCaps,
  defaultDenseChoice,
  denseCandidates,
  describeChoice,
} from '../../src/gpu/autotune/candidates';
import { mergeTuned, retuneRequest } from '../../src/gpu/autotune/retunePlan';
import { csrKey, denseKey, type TunedChoice, type TuningTable } from '../../src/gpu/autotune/table';
import { entryOf } from '../../src/gpu/autotune/tuner';

const d1 = { batch: 1, n: 64, k: 32 };
const d8 = { batch: 8, n: 64, k: 32 };
const c1 = { batch: 1, n: 64, k: 32, nnzPerRow: 4 };
const c8 = { batch: 8, n: 64, k: 32, nnzPerRow: 4 };
const unembed = { batch: 8, n: 500, k: 32 };

function entry(shape: { batch: number; n: number; k: number }, extra: Partial<TunedChoice>): TunedChoice {
  return { choice: defaultDenseChoice(shape, false), batch: shape.batch, how: 'tuned', ...extra };
}

const keys = (r: { dense: { batch: number; n: number; k: number }[]; csr: (typeof c1)[] }) => [
  ...r.dense.map(denseKey),
  ...r.csr.map(csrKey),
];

describe('retune plan', () => {
  it('tunes the shapes the budget never reached first, then the ones compared before', () => {
    const stored: TuningTable = {
      [denseKey(d8)]: entry(d8, {}), // compared (tuned)
      [csrKey(c8)]: entry(c8, { how: 'default' }), // compared, an old entry without a reason
      [denseKey(d1)]: entry(d1, { how: 'default', reason: 'budget' }), // not reached
      // c1 and the unembedding: not in the cache at all
    };
    const plan = retuneRequest(
      { dense: [d8, d1], csr: [c8, c1], later: { dense: [unembed], csr: [] } },
      stored,
    );
    expect(keys(plan)).toEqual([denseKey(d1), csrKey(c1)]);
    expect(keys(plan.later ?? { dense: [], csr: [] })).toEqual([denseKey(unembed)]);
    expect(plan.again?.map(keys)).toEqual([[denseKey(d8), csrKey(c8)], []]);
  });

  it('asks only for the shapes requested (each once), whatever else the cache holds', () => {
    const other = { batch: 4, n: 999, k: 16 };
    const stored: TuningTable = { [denseKey(other)]: entry(other, {}) };
    const plan = retuneRequest({ dense: [d1, d1], csr: [], later: { dense: [d1], csr: [] } }, stored);
    expect(keys(plan)).toEqual([denseKey(d1)]);
    expect(plan.later).toEqual({ dense: [], csr: [] });
    expect(plan.again?.map(keys)).toEqual([[], []]);
  });

  it('with an empty cache, tunes every shape asked for, first ones before later ones', () => {
    const plan = retuneRequest({ dense: [d8], csr: [c8], later: { dense: [unembed], csr: [] } }, {});
    expect(keys(plan)).toEqual([denseKey(d8), csrKey(c8)]);
    expect(keys(plan.later ?? { dense: [], csr: [] })).toEqual([denseKey(unembed)]);
  });
});

describe('merging a run into the cache', () => {
  it("keeps the cache's other shapes, and a compared entry the run's budget did not reach", () => {
    const other = { batch: 4, n: 999, k: 16 };
    const stored: TuningTable = {
      [denseKey(other)]: entry(other, {}), // a sweep's shape: not asked for
      [denseKey(d8)]: entry(d8, { ms: 1, defaultMs: 2 }), // compared before; this run ran out before it
      [denseKey(d1)]: entry(d1, { how: 'default', reason: 'budget' }), // reached this time
    };
    const fresh: TuningTable = {
      [denseKey(d8)]: entry(d8, { how: 'default', reason: 'budget' }),
      [denseKey(d1)]: entry(d1, { ms: 3, defaultMs: 4 }),
      [csrKey(c1)]: entry(c1, { how: 'default', reason: 'budget' }), // new, not reached: recorded
    };
    const { table, decided } = mergeTuned(stored, fresh);
    expect(table[denseKey(other)]).toEqual(stored[denseKey(other)]);
    expect(table[denseKey(d8)]).toEqual(stored[denseKey(d8)]);
    expect(table[denseKey(d1)]).toEqual(fresh[denseKey(d1)]);
    expect(table[csrKey(c1)]).toEqual(fresh[csrKey(c1)]);
    expect([...decided].sort()).toEqual([denseKey(d1), csrKey(c1)].sort());
  });
});

describe('a shape whose share of the budget ended before a comparison', () => {
  it('is recorded as not reached, so a retune tunes it first and it never replaces a compared entry', () => {
    const CAPS: AdapterCaps = {
      fallbackAdapter: true,
      subgroups: false,
      maxInvocations: 256,
      maxWorkgroupStorage: 16384,
    };
    const shape = { batch: 64, n: 96, k: 64 };
    const [first, second] = denseCandidates(shape, CAPS);
    const result = (id: string, ms: number) => ({ id, valid: true, ms, samples: 1 });
    const cut = entryOf({ choice: first, how: 'default', results: [result(describeChoice(first), 2)] }, 64);
    expect(cut).toMatchObject({ how: 'default', reason: 'budget' });
    const compared = entryOf(
      {
        choice: second,
        how: 'tuned',
        results: [result(describeChoice(first), 2), result(describeChoice(second), 1)],
      },
      64,
    );
    expect(compared.reason).toBeUndefined();
    const key = denseKey(shape);
    expect(mergeTuned({ [key]: compared }, { [key]: cut }).table[key]).toBe(compared);
  });
});
