// What the headline and labels say about a measurement: the ratio only when the spreads are apart.
import { describe, expect, it } from 'vitest';
import type { MeasureSummary } from '../../src/contracts';
import { collectingText, headlineText, timingTitle } from '../../src/scene/timingText';

const measure = (dense: number[], sparse: number[]): MeasureSummary => ({
  total: {
    dense: { ms: dense[0], p10: dense[1], p90: dense[2], samples: 7 },
    sparse: { ms: sparse[0], p10: sparse[1], p90: sparse[2], samples: 7 },
  },
  warmupMs: { dense: 19.2, sparse: 53.1 },
  repeats: {},
  resolutionMs: 0.1,
});

describe('headlineText', () => {
  it('claims a speedup only when the p10–p90 ranges do not overlap', () => {
    const m = measure([2.8, 2.6, 3.1], [1.2, 1.1, 1.4]);
    const t = headlineText({ dense: m.total.dense!, sparse: m.total.sparse! }, m, 'wall clock', 'CPU');
    expect(t.verdict).toBe(' 2.3× faster sparse');
    expect(t.clear).toBe(true);
    expect(t.source).toBe('median of 7 interleaved runs per path · wall clock · CPU');
    expect(t.startup).toBe('start-up (first run, not counted): dense 19.2 ms, sparse 53.1 ms');
    expect(t.spreadTitle).toContain('sparse: median 1.20 ms, p10–p90 1.10 ms–1.40 ms, 7 runs');
  });

  it('says "no clear difference" when the ranges overlap, whatever the ratio of medians', () => {
    const m = measure([2.8, 0.7, 7.7], [1.5, 0.7, 2.7]);
    const t = headlineText({ dense: m.total.dense!, sparse: m.total.sparse! }, m, 'wall clock', 'CPU');
    expect(t.clear).toBe(false);
    expect(t.verdict).toBe(' no clear difference (medians 1.9× apart)');
    expect(t.verdict).not.toMatch(/faster|slower/);
  });

  it('says slower when sparse is clearly slower', () => {
    const m = measure([1, 0.9, 1.1], [2, 1.9, 2.2]);
    const t = headlineText({ dense: m.total.dense!, sparse: m.total.sparse! }, m, 'GPU timestamps', 'WebGPU');
    expect(t.verdict).toBe(' 2.0× slower sparse');
  });
});

describe('labels', () => {
  it('gives the spread on hover, and says when an op was repeated inside a sample', () => {
    expect(timingTitle({ ms: 0.05, p10: 0.04, p90: 0.06, samples: 5, repeats: 32 })).toBe(
      'median 50 µs, p10–p90 40 µs–60 µs, 5 runs · each run times it 32× and divides',
    );
    expect(timingTitle({ ms: 2 })).toBe('2.00 ms (one run)');
  });

  it('says samples are being collected', () => {
    expect(
      collectingText({ samples: { dense: 3, sparse: 2 }, target: 5, warmupMs: { dense: 1, sparse: 1 } }),
    ).toBe('collecting samples… 2 of 5 per path');
  });
});
