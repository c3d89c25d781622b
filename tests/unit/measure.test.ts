// The measurement protocol: warm-up apart, interleaved samples, medians and spreads, totals from per-run
// sums, repeats for ops below the timer's resolution, and the "clear difference" rule.
import { describe, expect, it } from 'vitest';
import type { LayerTiming, WeightPath } from '../../src/contracts';
import { chooseRepeats, measurePaths, summarizeSamples, timeQuantumMs } from '../../src/engine/measure';
import { compareTotals } from '../../src/math/stats';

const row = (layer: number, op: string, path: WeightPath, ms: number): LayerTiming => ({
  layer,
  op,
  path,
  ms,
  source: 'gpu-timestamp',
});

/** A fake forward: per call, its path's next 'attn'/'mlp' times from a script; logs the call order. */
function scripted(times: Record<WeightPath, number[][]>) {
  const calls: { path: WeightPath; repeats: Readonly<Record<string, number>> }[] = [];
  const next: Record<WeightPath, number> = { dense: 0, sparse: 0 };
  const run = async (path: WeightPath, repeats: Readonly<Record<string, number>>) => {
    calls.push({ path, repeats });
    const script = times[path];
    const [attn, mlp] = script[Math.min(next[path]++, script.length - 1)];
    return {
      logits: new Float32Array([next[path]]),
      timings: [row(0, 'attn', path, attn), row(0, 'mlp', path, mlp), row(0, 'qkv', path, attn / 2)],
    };
  };
  return { run, calls };
}

describe('measurePaths', () => {
  it('warms each path up once, then interleaves d, s, d, s until the sample count', async () => {
    // Warm-up 100 ms (never shown), then samples around 10 (dense) and 2 (sparse).
    const { run, calls } = scripted({
      dense: [
        [100, 100],
        [5, 5],
        [6, 4],
        [5, 6],
        [40, 40],
        [5, 5],
        [4, 6],
      ],
      sparse: [
        [50, 50],
        [1, 1],
        [1, 2],
        [1, 1],
        [1, 1],
        [9, 9],
        [1, 1],
      ],
    });
    const m = await measurePaths(['dense', 'sparse'], run, {
      minSamples: 5,
      budgetMs: 0,
      resolutionMs: 1e-6,
      warmupMs: 0,
    });
    expect(calls.map((c) => c.path)).toEqual([
      'dense',
      'sparse', // warm-up
      'dense',
      'sparse',
      'dense',
      'sparse',
      'dense',
      'sparse',
      'dense',
      'sparse',
      'dense',
      'sparse',
    ]);
    const dense = m.paths.dense!;
    const sparse = m.paths.sparse!;
    // Per-run sums 10, 10, 11, 80, 10: the median is 10 (not the 100 + 100 warm-up, not a sum of medians).
    expect(dense.total.samples).toBe(5);
    expect(dense.total.ms).toBe(10);
    expect(dense.total.p90).toBeGreaterThan(11);
    expect(sparse.total.ms).toBe(2);
    expect(dense.warmupMs).toBeGreaterThanOrEqual(0);
    const attn = dense.timings.find((t) => t.op === 'attn')!;
    expect(attn).toMatchObject({ ms: 5, samples: 5, path: 'dense', layer: 0 });
    expect(attn.p10).toBeLessThanOrEqual(attn.ms);
    expect(attn.p90).toBeGreaterThan(attn.ms);
    // The last sample's own result is kept (the sixth call of the dense path).
    expect(Array.from(dense.result.logits)).toEqual([6]);
  });

  it('stops a slow model at the floor sample count when the total budget would be passed', async () => {
    let clock = 0;
    const run = async (path: WeightPath) => {
      clock += 1;
      await new Promise((r) => setTimeout(r, 15));
      return { timings: [row(0, 'mlp', path, 10)] };
    };
    const m = await measurePaths(['dense', 'sparse'], run, {
      minSamples: 5,
      floorSamples: 2,
      maxTotalMs: 1,
      resolutionMs: 1e-6,
      warmupMs: 0,
    });
    expect(m.paths.dense!.total.samples).toBe(2);
    expect(m.paths.sparse!.total.samples).toBe(2);
    expect(clock).toBe(6); // 2 warm-ups + 2 rounds of 2
  });

  it('repeats ops shorter than the resolution and passes the counts to every timed forward', async () => {
    const { run, calls } = scripted({ dense: [[0.05, 4]], sparse: [[0.05, 4]] });
    const m = await measurePaths(['dense', 'sparse'], run, {
      minSamples: 2,
      budgetMs: 0,
      resolutionMs: 0.1,
      warmupMs: 0,
    });
    // qkv reads 0.025 ms against a 0.1 ms timer: 20 ticks need 2 ms, i.e. 80 runs, capped at 32.
    expect(m.repeats).toEqual({ qkv: 32 });
    expect(calls[0].repeats).toEqual({}); // the warm-up runs everything once
    expect(calls.slice(2).every((c) => c.repeats.qkv === 32)).toBe(true);
  });

  it('reports progress: after the warm-up and after every round', async () => {
    const { run } = scripted({ dense: [[1, 1]], sparse: [[1, 1]] });
    const seen: number[] = [];
    await measurePaths(['dense', 'sparse'], run, {
      minSamples: 3,
      budgetMs: 0,
      resolutionMs: 1e-6,
      warmupMs: 0,
      onProgress: (p) => seen.push(p.samples.sparse ?? -1),
    });
    expect(seen).toEqual([0, 1, 2, 3]);
  });
});

describe('warm-up of a fast model', () => {
  it('runs untimed forwards, interleaved, until each path has spent the warm-up time', async () => {
    // A fake clock: every forward takes exactly 2 ms, whatever else the machine is doing.
    let now = 0;
    const calls: WeightPath[] = [];
    const run = async (path: WeightPath) => {
      calls.push(path);
      now += 2;
      return { timings: [row(0, 'mlp', path, 1)] };
    };
    const m = await measurePaths(['dense', 'sparse'], run, {
      minSamples: 2,
      budgetMs: 0,
      warmupMs: 5,
      resolutionMs: 1e-6,
      clock: () => now,
    });
    const warmups = calls.length - 4; // 2 samples per path
    expect(warmups).toBeGreaterThanOrEqual(4); // ≥ 2 per path: one forward of ≥ 2 ms cannot reach 5 ms
    expect(calls.slice(0, 4)).toEqual(['dense', 'sparse', 'dense', 'sparse']);
    // The start-up reported is the first forward's alone.
    expect(warmups).toBe(6); // 2 + 2 + 2 ms reach 5 ms on the third forward of each path
    expect(m.paths.dense!.warmupMs).toBe(2);
    expect(m.paths.dense!.total.samples).toBe(2);
  });
});

describe('protocol helpers', () => {
  it('summarizes samples per layer and op', () => {
    const runs = [1, 2, 3, 4, 5].map((v) => [row(0, 'fc', 'dense', v), row(1, 'fc', 'dense', 10 * v)]);
    const s = summarizeSamples(runs);
    expect(s.map((t) => [t.layer, t.ms, t.samples])).toEqual([
      [0, 3, 5],
      [1, 30, 5],
    ]);
    expect(s[0].p10).toBeCloseTo(1.4);
    expect(s[0].p90).toBeCloseTo(4.6);
  });

  it('finds the quantum of a rounding timer, and a tiny one for an exact timer', () => {
    expect(timeQuantumMs([0.1, 0.2, 0.5, 0.30000000000000004, 0])).toBeCloseTo(0.1);
    expect(timeQuantumMs([0.0123, 0.0456, 1.7])).toBeCloseTo(0.0123);
  });

  it('chooses repeats only for ops below twenty ticks, never for block sums', () => {
    const r = chooseRepeats(
      [
        row(0, 'qkv', 'dense', 0.5),
        row(1, 'qkv', 'dense', 3),
        row(0, 'attn', 'dense', 0.01),
        row(0, 'fc', 'dense', 5),
      ],
      0.1,
    );
    expect(r).toEqual({ qkv: 4 });
  });

  it('calls a difference clear only when the p10–p90 ranges do not overlap', () => {
    const a = { ms: 10, p10: 9, p90: 11, samples: 5 };
    expect(compareTotals(a, { ms: 5, p10: 4, p90: 6, samples: 5 })).toEqual({ ratio: 2, clear: true });
    expect(compareTotals(a, { ms: 8, p10: 7, p90: 9.5, samples: 5 }).clear).toBe(false);
    expect(compareTotals({ ms: 5, p10: 4, p90: 6, samples: 5 }, a).clear).toBe(true);
  });
});
