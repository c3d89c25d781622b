// The autotuner's choice logic without a GPU: the tuning loop with fake candidates and a fake clock, the
// candidate lists, the nearest-batch lookup, the cache keys and a corrupt cache.
import { describe, expect, it } from 'vitest';
import {
  type AdapterIdentity,
  kernelVersion,
  loadTuning,
  saveTuning,
  type TuningStore,
  tuningCacheKey,
} from '../../src/gpu/autotune/cache';
import {
  type AdapterCaps,
  csrCandidates,
  defaultDenseChoice,
  denseCandidates,
  describeChoice,
} from '../../src/gpu/autotune/candidates';
import { denseKey, KernelChooser, type TuningTable } from '../../src/gpu/autotune/table';
import {
  keepDefaultUnlessClear,
  pickFastest,
  type TuneTarget,
  tuneCandidates,
} from '../../src/gpu/autotune/tuneLoop';
import { DEFAULT_CSR_TUNING } from '../../src/gpu/kernels/spmmCsr';

/** Fake candidates: each has a fixed time per sample and may fail its check; the clock advances by the time. */
type Fake = { id: string; ms: number | number[]; fails?: boolean };

function fakeTarget(cands: Fake[], clock: { now: number }) {
  const opened: string[] = [];
  const target: TuneTarget<Fake> = {
    candidates: cands,
    id: (c) => c.id,
    async open(c) {
      opened.push(c.id);
      clock.now += 1; // compiling costs time too
      if (c.fails) throw new Error(`${c.id}: wrong output`);
      const times = Array.isArray(c.ms) ? c.ms : [c.ms];
      let n = 0;
      return {
        async sample() {
          const ms = times[n++ % times.length];
          clock.now += ms;
          return ms;
        },
        dispose() {},
      };
    },
  };
  return { target, opened };
}

describe('tuning loop', () => {
  it('picks the fastest candidate that passed its check', async () => {
    const clock = { now: 0 };
    const { target } = fakeTarget(
      [
        { id: 'default', ms: 5 },
        { id: 'fast', ms: 2 },
        { id: 'slow', ms: 9 },
      ],
      clock,
    );
    const out = await tuneCandidates(target, { deadline: 1e9, clock: () => clock.now });
    expect(out.choice.id).toBe('fast');
    expect(out.how).toBe('tuned');
    expect(out.results.map((r) => r.ms)).toEqual([5, 2, 9]);
  });

  it('never chooses a candidate that failed its check, however fast it claims to be', async () => {
    const clock = { now: 0 };
    const { target } = fakeTarget(
      [
        { id: 'default', ms: 5 },
        { id: 'broken', ms: 0.1, fails: true },
        { id: 'ok', ms: 4 },
      ],
      clock,
    );
    const out = await tuneCandidates(target, { deadline: 1e9, clock: () => clock.now });
    expect(out.choice.id).toBe('ok');
    expect(out.results[1]).toMatchObject({ valid: false, samples: 0, error: 'broken: wrong output' });
    expect(pickFastest([{ id: 'x', valid: false, ms: 1, samples: 3 }])).toBeNull();
  });

  it('keeps the default when the winner was timed beside it fewer than 3 times, or won under 80 %', () => {
    const timed = (rounds: number[]) => ({ id: 'x', valid: true, ms: 1, samples: rounds.length, rounds });
    expect(keepDefaultUnlessClear([timed([5, 5]), timed([1, 1])], 1)).toBe(0);
    expect(keepDefaultUnlessClear([timed([5, 5, 5]), timed([1, 1, 1])], 1)).toBe(1);
    expect(keepDefaultUnlessClear([timed([5, 5, 5, 5, 5]), timed([1, 1, 1, 1, 9])], 1)).toBe(1); // 4 of 5
    expect(keepDefaultUnlessClear([timed([5, 5, 5, 5, 5]), timed([1, 1, 1, 9, 9])], 1)).toBe(0); // 3 of 5
  });

  it('keeps the default unless the fastest won at least 80 % of the rounds timed side by side', async () => {
    const clock = { now: 0 };
    // warm-up first, then 5 rounds: 'lucky' has the lower median but wins only 3 of 5 rounds.
    const { target } = fakeTarget(
      [
        { id: 'default', ms: [9, 5, 4, 6, 5, 5] },
        { id: 'lucky', ms: [9, 4.5, 4.6, 5.5, 4.4, 5.5] },
      ],
      clock,
    );
    const out = await tuneCandidates(target, { deadline: 1e9, clock: () => clock.now });
    expect(out.results[1].ms!).toBeLessThan(out.results[0].ms!);
    expect(out.choice.id).toBe('default');
    expect(out.how).toBe('tuned');
  });

  it('never drops the default after a slow first sample', async () => {
    const clock = { now: 0 };
    const { target } = fakeTarget(
      [
        { id: 'default', ms: [1, 50, 1, 1, 1, 1] }, // warm-up 1, then a spike on the first timed sample
        { id: 'other', ms: 2 },
      ],
      clock,
    );
    const out = await tuneCandidates(target, { deadline: 1e9, clock: () => clock.now });
    expect(out.results[0].samples).toBe(5);
    expect(out.choice.id).toBe('default');
  });

  it('keeps the default when the budget is gone before anything could be compared', async () => {
    const clock = { now: 0 };
    const { target, opened } = fakeTarget(
      [
        { id: 'default', ms: 5 },
        { id: 'fast', ms: 1 },
      ],
      clock,
    );
    const out = await tuneCandidates(target, { deadline: 3, clock: () => clock.now });
    expect(out.how).toBe('default');
    expect(out.choice.id).toBe('default');
    expect(opened).toEqual(['default']); // warm-up of the default used the budget; nothing else opened
  });

  it('stops opening and timing once skipped', async () => {
    const clock = { now: 0 };
    const skip = new AbortController();
    const { target, opened } = fakeTarget(
      [
        { id: 'default', ms: 5 },
        { id: 'fast', ms: 1 },
      ],
      clock,
    );
    const open = target.open;
    target.open = async (c) => {
      const trial = await open(c);
      skip.abort(); // Skip pressed while the default was being checked
      return trial;
    };
    const out = await tuneCandidates(target, { deadline: 1e9, clock: () => clock.now, signal: skip.signal });
    expect(opened).toEqual(['default']);
    expect(out.results[0].samples).toBe(0);
    expect(out.how).toBe('default');
  });

  it('stops timing at the deadline', async () => {
    const clock = { now: 0 };
    const { target } = fakeTarget(
      [
        { id: 'a', ms: 10 },
        { id: 'b', ms: 10 },
      ],
      clock,
    );
    await tuneCandidates(target, { deadline: 50, clock: () => clock.now, minSamples: 5, maxSamples: 9 });
    // Open and warm up both (22), one round (42); a second round of 20 would pass 50, so none starts.
    expect(clock.now).toBe(42);
  });

  it('does not open a candidate when the default took longer at this shape than the time left to open', async () => {
    const clock = { now: 0 };
    const { target, opened } = fakeTarget(
      [
        { id: 'a', ms: 400 },
        { id: 'b', ms: 400 },
      ],
      clock,
    );
    // No cost known from an earlier shape (the first one tuned): the default's 401 ms opening here says
    // that b's would pass the opening cutoff (600), and b's warm-up and samples the deadline.
    const out = await tuneCandidates(target, { deadline: 1000, clock: () => clock.now, openCost: { ms: 0 } });
    expect(opened).toEqual(['a']);
    expect(clock.now).toBeLessThanOrEqual(1000);
    expect(out.how).toBe('default');
  });

  it('does not start a sample that its last one (else the default) says would pass the deadline', async () => {
    const clock = { now: 0 };
    const { target } = fakeTarget(
      [
        { id: 'a', ms: 100 },
        { id: 'b', ms: 300 },
      ],
      clock,
    );
    // a opens and warms up (101), b opens and warms up (402), a's sample (502): b's would end at 802, so
    // is not started; a second round's a (602), again no b, and a third would pass 700.
    const out = await tuneCandidates(target, { deadline: 700, clock: () => clock.now });
    expect(clock.now).toBe(602);
    expect(out.results.map((r) => r.samples)).toEqual([2, 0]);
  });
});

const CAPS: AdapterCaps = {
  fallbackAdapter: true,
  subgroups: false,
  maxInvocations: 256,
  maxWorkgroupStorage: 16384,
};

describe('candidates', () => {
  it('lead with today default, are few, and fit the adapter', () => {
    for (const shape of [
      { batch: 1, n: 768, k: 768 },
      { batch: 64, n: 3072, k: 768 },
      { batch: 5, n: 33, k: 31 },
    ]) {
      const list = denseCandidates(shape, CAPS);
      expect(describeChoice(list[0])).toBe(describeChoice(defaultDenseChoice(shape, true)));
      expect(list.length).toBeGreaterThanOrEqual(2);
      expect(list.length).toBeLessThanOrEqual(5);
      if (shape.k % 4 !== 0) expect(list.every((c) => !c.variant.endsWith('vec4'))).toBe(true);
      const small = denseCandidates(shape, { ...CAPS, maxInvocations: 64, maxWorkgroupStorage: 4096 });
      for (const c of small.slice(1)) {
        const t = c.tuning;
        if (c.variant.startsWith('tiled')) expect(t.tiled.TX * t.tiled.TY).toBeLessThanOrEqual(64);
      }
    }
    const csr = csrCandidates({ batch: 64, n: 3072, k: 768, nnzPerRow: 12 }, CAPS, DEFAULT_CSR_TUNING);
    expect(csr[0].variant).toBe('batched');
    expect(csr.every((c) => c.variant !== 'subgroup')).toBe(true);
    expect(csr.length).toBeLessThanOrEqual(5);
  });
});

describe('the chooser', () => {
  const fast = denseCandidates({ batch: 64, n: 96, k: 64 }, CAPS)[1];
  const table: TuningTable = {
    [denseKey({ batch: 64, n: 96, k: 64 })]: { choice: fast, batch: 64, how: 'tuned' },
  };
  it('uses the choice tuned at the nearest batch of the same shape, else the default', () => {
    const chooser = new KernelChooser(table, new Set(), CAPS, DEFAULT_CSR_TUNING);
    expect(chooser.dense({ batch: 40, n: 96, k: 64 })).toMatchObject({ how: 'cached', tunedAtBatch: 64 });
    expect(describeChoice(chooser.dense({ batch: 40, n: 96, k: 64 }).choice)).toBe(describeChoice(fast));
    expect(chooser.dense({ batch: 1, n: 96, k: 64 }).how).toBe('default'); // 64× away: another regime
    expect(chooser.dense({ batch: 64, n: 96, k: 68 }).how).toBe('default'); // another shape
    const fresh = new KernelChooser(table, new Set(Object.keys(table)), CAPS, DEFAULT_CSR_TUNING);
    expect(fresh.dense({ batch: 64, n: 96, k: 64 }).how).toBe('tuned');
  });

  it('never carries a choice into another regime, and calls a kept default a default', () => {
    const shape = { n: 96, k: 64 };
    const gemvDefault = defaultDenseChoice({ batch: 1, ...shape }, true);
    const otherGemv = denseCandidates({ batch: 1, ...shape }, CAPS).find(
      (c) => c.variant.startsWith('gemv') && describeChoice(c) !== describeChoice(gemvDefault),
    );
    expect(otherGemv).toBeDefined();
    const at1 = (choice: typeof gemvDefault): TuningTable => ({
      [denseKey({ batch: 1, ...shape })]: { choice, batch: 1, how: 'tuned' },
    });
    // A GEMV choice tuned at batch 1 serves batch 2 (GEMV there too), not batch 4, whose default is tiled.
    const tuned = new KernelChooser(at1(otherGemv!), new Set(), CAPS, DEFAULT_CSR_TUNING);
    expect(tuned.dense({ batch: 2, ...shape })).toMatchObject({ how: 'cached', tunedAtBatch: 1 });
    const four = tuned.dense({ batch: 4, ...shape });
    expect(four.how).toBe('default');
    expect(describeChoice(four.choice)).toBe(
      describeChoice(defaultDenseChoice({ batch: 4, ...shape }, true)),
    );
    // Tuning kept the default: the layer runs the default and says so, remembering it was compared.
    const kept = new KernelChooser(at1(gemvDefault), new Set(), CAPS, DEFAULT_CSR_TUNING);
    expect(kept.dense({ batch: 1, ...shape })).toMatchObject({ how: 'default', keptDefault: true });
  });
});

const IDENTITY: AdapterIdentity = {
  vendor: 'google',
  architecture: 'swiftshader',
  device: '',
  description: 'SwiftShader Device (Subzero)',
  isFallbackAdapter: true,
  subgroups: true,
  subgroupMinSize: 4,
  subgroupMaxSize: 4,
  limits: { maxComputeInvocationsPerWorkgroup: 256, maxComputeWorkgroupStorageSize: 16384 },
};

function memoryStore(text: string | null = null): TuningStore & { text: string | null } {
  const store = {
    where: 'memory',
    text,
    read: () => store.text,
    write: (t: string) => {
      store.text = t;
    },
  };
  return store;
}

describe('tuning cache', () => {
  const version = kernelVersion();
  it('keys change with the adapter and with the kernel sources', () => {
    const key = tuningCacheKey(IDENTITY, version);
    expect(tuningCacheKey({ ...IDENTITY }, version)).toBe(key);
    expect(tuningCacheKey({ ...IDENTITY, description: 'another driver' }, version)).not.toBe(key);
    expect(tuningCacheKey({ ...IDENTITY, isFallbackAdapter: false }, version)).not.toBe(key);
    expect(tuningCacheKey({ ...IDENTITY, subgroupMinSize: 32 }, version)).not.toBe(key);
    const limits = { ...IDENTITY.limits, maxComputeWorkgroupStorageSize: 32768 };
    expect(tuningCacheKey({ ...IDENTITY, limits }, version)).not.toBe(key);
    expect(tuningCacheKey(IDENTITY, kernelVersion(['// a changed kernel']))).not.toBe(key);
    expect(tuningCacheKey(IDENTITY, kernelVersion(undefined, 'other candidate lists'))).not.toBe(key);
  });

  it('round-trips a table, and a changed kernel version misses', () => {
    const store = memoryStore();
    const key = tuningCacheKey(IDENTITY, version);
    const choice = defaultDenseChoice({ batch: 1, n: 8, k: 8 }, true);
    const table: TuningTable = { 'dense 8x8 b1': { choice, batch: 1, how: 'tuned', ms: 1 } };
    saveTuning(store, key, table, 'swiftshader', () => {});
    expect(loadTuning(store, key, () => {})).toEqual(table);
    const newKey = tuningCacheKey(IDENTITY, kernelVersion(['// changed']));
    expect(loadTuning(store, newKey, () => {})).toBeNull();
    saveTuning(store, newKey, table, 'swiftshader', () => {});
    expect(loadTuning(store, key, () => {})).toBeNull(); // the old version of this adapter was dropped
  });

  it('ignores a corrupt cache with a warning, and saving over it works', () => {
    const key = tuningCacheKey(IDENTITY, version);
    for (const text of [
      '{not json',
      '{"schema":"other"}',
      '{"schema":"sparsescope-tuning/1","entries":{"k":{"table":{"x":1}}}}',
    ]) {
      const warnings: string[] = [];
      const store = memoryStore(text);
      expect(loadTuning(store, key, (m) => warnings.push(m))).toBeNull();
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/corrupt, ignored/);
      saveTuning(store, key, {}, 'swiftshader', () => {});
      expect(loadTuning(store, key, () => {})).toEqual({});
    }
    const throwing: TuningStore = {
      where: 'broken',
      read: () => {
        throw new Error('denied');
      },
      write: () => {
        throw new Error('denied');
      },
    };
    const warnings: string[] = [];
    expect(loadTuning(throwing, key, (m) => warnings.push(m))).toBeNull();
    saveTuning(throwing, key, {}, 'x', (m) => warnings.push(m));
    expect(warnings).toHaveLength(2);
  });
});
