// A candidate whose warm-up or timing throws (a lost mapAsync, a driver error) after its check passed is
// marked invalid and disposed; the tuning goes on with the others instead of failing the whole load.
import { describe, expect, it } from 'vitest';
import { tuneCandidates } from '../../src/gpu/autotune/tuneLoop';

type Fake = { id: string; ms: number; throwsAt?: number };

function target(cands: Fake[], clock: { now: number }, disposed: string[]) {
  return {
    candidates: cands,
    id: (c: Fake) => c.id,
    async open(c: Fake) {
      clock.now += 1;
      let n = 0;
      return {
        async sample() {
          clock.now += c.ms;
          if (c.throwsAt !== undefined && n++ >= c.throwsAt) throw new Error('mapAsync failed');
          return c.ms;
        },
        dispose() {
          disposed.push(c.id);
        },
      };
    },
  };
}

describe('tuning loop, a candidate that throws after its check', () => {
  for (const [when, throwsAt] of [
    ['in its warm-up', 0],
    ['in a timed round', 2],
  ] as const) {
    it(`${when}: is invalid, disposed once, and never chosen`, async () => {
      const clock = { now: 0 };
      const disposed: string[] = [];
      const cands: Fake[] = [
        { id: 'default', ms: 5 },
        { id: 'fast-but-broken', ms: 1, throwsAt },
        { id: 'faster', ms: 2 },
      ];
      const out = await tuneCandidates(target(cands, clock, disposed), {
        deadline: 10_000,
        clock: () => clock.now,
      });
      expect(out.choice.id).toBe('faster');
      const broken = out.results[1];
      expect(broken.valid).toBe(false);
      expect(broken.error).toMatch(/mapAsync failed/);
      expect(broken.ms).toBeUndefined();
      expect(disposed.filter((id) => id === 'fast-but-broken')).toEqual(['fast-but-broken']);
      expect([...disposed].sort()).toEqual(['default', 'fast-but-broken', 'faster']);
    });
  }

  it('keeps a valid choice when the default itself throws while timed', async () => {
    const clock = { now: 0 };
    const out = await tuneCandidates(
      target(
        [
          { id: 'default', ms: 5, throwsAt: 1 },
          { id: 'other', ms: 3 },
        ],
        clock,
        [],
      ),
      { deadline: 10_000, clock: () => clock.now },
    );
    expect(out.results[0].valid).toBe(false);
    expect(out.choice.id).toBe('other');
  });
});
