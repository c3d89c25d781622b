import { describe, expect, it } from 'vitest';
import { FrameBudget } from '../../src/scene/frameBudget';

const feed = (b: FrameBudget, ms: number, n: number, moving = true) => {
  for (let i = 0; i < n; i++) b.record(ms, moving);
};

describe('FrameBudget', () => {
  it('shrinks while moving frames miss the refresh, down to the floor', () => {
    const b = new FrameBudget({ initial: 12_000, min: 1500, window: 6 });
    feed(b, 40, 5);
    expect(b.budget).toBe(12_000); // not a full window yet
    feed(b, 40, 1);
    expect(b.budget).toBe(7200);
    feed(b, 40, 60);
    expect(b.budget).toBe(1500);
  });

  it('grows back while frames make the refresh, up to the bigger network', () => {
    const b = new FrameBudget({ initial: 2000, min: 1500, window: 6 });
    b.setCeiling(5000);
    feed(b, 16.7, 6);
    expect(b.budget).toBe(2500);
    feed(b, 16.7, 60);
    expect(b.budget).toBe(5000);
  });

  it('holds between the two thresholds, and full-detail frames never change it', () => {
    const b = new FrameBudget({ initial: 4000, window: 6 });
    feed(b, 20, 12); // between 1.1× and 1.3× of 16.7 ms
    expect(b.budget).toBe(4000);
    feed(b, 80, 12, false);
    expect(b.budget).toBe(4000);
    expect(b.stats()).toEqual({ median: 50, count: 24 }); // every interval counts, moving or not
  });

  it('stays below the budget that last missed for a while (no seesaw at 60 Hz)', () => {
    const b = new FrameBudget({ initial: 10_000, min: 1000, window: 6 });
    feed(b, 33.3, 6); // missed: 10,000 → 6,000
    expect(b.budget).toBe(6000);
    feed(b, 16.7, 60); // grows, but not back to 10,000 (0.9 × 10,000 at most)
    expect(b.budget).toBe(9000);
    feed(b, 16.7, 6 * 20); // after 20 windows without a miss it may try again
    expect(b.budget).toBeGreaterThan(9000);
  });

  it('new networks cap the budget at their edge count and drop old intervals', () => {
    const b = new FrameBudget({ initial: 12_000, min: 1500, window: 6 });
    feed(b, 40, 5); // an unfinished window of the old scene
    b.setCeiling(5000);
    expect(b.budget).toBe(5000);
    feed(b, 40, 1); // one interval: not a full window of the new scene, nothing changes
    expect(b.budget).toBe(5000);
    b.setCeiling(800); // a tiny network: the floor still applies
    expect(b.budget).toBe(1500);
  });

  it('reports no frames as a median of 0, not NaN', () => {
    expect(new FrameBudget().stats()).toEqual({ median: 0, count: 0 });
  });
});
