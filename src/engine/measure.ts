// The measurement protocol behind every time the app and the CLI show (../shared/DESIGN.md, "Honest
// timing"): one warm-up forward per path, never shown as a timing (its wall time, compiles and first-use
// costs included, is reported apart as start-up); then timed forwards with the paths interleaved
// (d, s, d, s, …) so a change of load hits both, until each path has enough samples and has used its time
// budget; per layer and op the median and p10–p90; the totals from each run's own sum (not a sum of
// medians). Ops shorter than the timer resolves are repeated inside one sample (the backend divides, and
// says how often it ran them).
import type { LayerTiming, MeasureProgress, MeasureSummary, Spread, WeightPath } from '../contracts';
import { percentile } from '../math/stats';
import { totalMs } from './timings';

export interface MeasureOptions<R = { timings: LayerTiming[] }> {
  /** Samples every path gets before the budget may stop it (default 5). */
  minSamples?: number;
  /** Stop here whatever the budget says (default 30). */
  maxSamples?: number;
  /** Time each path's samples may take before the run stops at minSamples or more (ms, default 300). */
  budgetMs?: number;
  /**
   * A large model: when the next round would pass this (ms, both paths, warm-up excluded; default 5 s),
   * stop once every path has `floorSamples` — the result says how many it got.
   */
  maxTotalMs?: number;
  /**
   * Warm-up per path: forwards continue (never timed, interleaved) until each path has spent this long or
   * ran `MAX_WARMUP_RUNS` — a fast model's first forwards run in a JIT's unoptimized tiers (default 100 ms).
   */
  warmupMs?: number;
  /** Fewest samples of a large model (default 3). */
  floorSamples?: number;
  /** The timer's resolution in ms; estimated from the clock and the warm-up's times when absent. */
  resolutionMs?: number;
  /** One run's whole time from its rows (default: the GPT-2 block-level sum, engine/timings.ts totalMs). */
  total?: (timings: LayerTiming[], path: WeightPath, result: R) => number;
  /** Called after the warm-up and after every round, with what has been measured so far. */
  onProgress?: (progress: MeasureProgress) => void;
  /** The wall clock in ms (default performance.now; tests pass a fake one so no test depends on load). */
  clock?: () => number;
}

/** One forward of one path: the caller runs it (Backend.forward, a DNN plan, a decode step). */
export type RunForward<R extends { timings: LayerTiming[] }> = (
  path: WeightPath,
  repeats: Readonly<Record<string, number>>,
) => Promise<R>;

/** A LayerTiming summarized over samples: ms is the median; p10, p90, samples always set. */
export type MeasuredTiming = LayerTiming & { p10: number; p90: number; samples: number };

interface PathMeasurement<R> {
  path: WeightPath;
  /** Per layer and op, over the samples. */
  timings: MeasuredTiming[];
  /** The whole forward: each sample's sum of its block-level times, summarized. */
  total: Spread;
  /** Wall time of the warm-up forward (start-up: compiles, plans, JIT, first-use), never in the samples. */
  warmupMs: number;
  /** The last sample's own result (logits, activations): every sample computes the same ones. */
  result: R;
}

export interface Measurement<R> {
  paths: Partial<Record<WeightPath, PathMeasurement<R>>>;
  /** Runs per op inside one sample (ops shorter than the timer resolves), by op name. */
  repeats: Record<string, number>;
  resolutionMs: number;
}

const DEFAULTS = {
  minSamples: 5,
  maxSamples: 30,
  budgetMs: 300,
  maxTotalMs: 5_000,
  floorSamples: 3,
  warmupMs: 100,
  clock: () => performance.now(),
};
const MAX_WARMUP_RUNS = 10;
/** An op is timed over at least this many timer ticks (repeated inside a sample when shorter). */
const TARGET_TICKS = 20;
const MAX_REPEATS = 32;

/** Smallest step of performance.now() on this thread (100 µs in a browser without cross-origin isolation). */
function clockResolutionMs(): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    let t1 = t0;
    for (let spins = 0; t1 === t0 && spins < 1e6; spins++) t1 = performance.now();
    if (t1 > t0) best = Math.min(best, t1 - t0);
  }
  return Number.isFinite(best) ? best : 1;
}

/**
 * The quantum of a set of times: a timer that rounds (Chrome's 100 µs GPU timestamps, a coarse clock) gives
 * only multiples of it, so no two distinct times are closer. An exact timer gives a tiny value.
 */
export function timeQuantumMs(times: readonly number[]): number {
  const xs = [...new Set(times.filter((t) => Number.isFinite(t) && t > 0))].sort((a, b) => a - b);
  let q = xs[0] ?? 0;
  for (let i = 1; i < xs.length; i++) {
    const step = xs[i] - xs[i - 1];
    if (step > 1e-9) q = Math.min(q, step);
  }
  return q;
}

/** Runs per op so each is timed over ≥ TARGET_TICKS ticks; ops that read 0 get the most. */
export function chooseRepeats(timings: readonly LayerTiming[], resolutionMs: number): Record<string, number> {
  const shortest = new Map<string, number>();
  for (const t of timings) {
    if (t.op === 'attn' || t.op === 'mlp') continue; // sums of passes, not run on their own
    shortest.set(t.op, Math.min(shortest.get(t.op) ?? Number.POSITIVE_INFINITY, t.ms));
  }
  const target = TARGET_TICKS * resolutionMs;
  const out: Record<string, number> = {};
  for (const [op, ms] of shortest) {
    if (!(ms < target)) continue;
    out[op] = Math.min(MAX_REPEATS, Math.ceil(target / Math.max(ms, resolutionMs / 2)));
  }
  return out;
}

/** Median and p10–p90 of some samples. */
function spread(values: readonly number[]): Spread {
  const xs = values.filter(Number.isFinite);
  return { ms: percentile(xs, 50), p10: percentile(xs, 10), p90: percentile(xs, 90), samples: xs.length };
}

/** Per (layer, op): the samples' median and spread; order and fields of the first sample. */
export function summarizeSamples(runs: readonly LayerTiming[][]): MeasuredTiming[] {
  const byKey = new Map<string, { first: LayerTiming; values: number[] }>();
  for (const run of runs) {
    for (const t of run) {
      const key = `${t.layer}:${t.op}`;
      const entry = byKey.get(key) ?? { first: t, values: [] };
      entry.values.push(t.ms);
      byKey.set(key, entry);
    }
  }
  return [...byKey.values()].map(({ first, values }) => ({ ...first, ...spread(values) }));
}

/**
 * Warm up each path, then time them interleaved until each has enough samples (see MeasureOptions).
 * `paths` in the order they alternate (dense first by convention).
 */
export async function measurePaths<R extends { timings: LayerTiming[] }>(
  paths: readonly WeightPath[],
  run: RunForward<R>,
  options: MeasureOptions<R> = {},
): Promise<Measurement<R>> {
  const o = { ...DEFAULTS, ...options };
  o.minSamples = Math.max(1, o.minSamples);
  o.floorSamples = Math.min(o.minSamples, Math.max(1, o.floorSamples));
  o.maxSamples = Math.max(o.minSamples, o.maxSamples);
  // Warm-up: the first forward of each path is the start-up cost the views report; more untimed forwards
  // follow while a fast model has not yet spent `warmupMs` (a JIT's optimized code comes after some calls).
  const warmupMs: Partial<Record<WeightPath, number>> = {};
  const warmSpent = new Map<WeightPath, number>();
  let warm: LayerTiming[] = [];
  for (let i = 0; i < MAX_WARMUP_RUNS; i++) {
    const pending = paths.filter((p) => i === 0 || (warmSpent.get(p) ?? 0) < o.warmupMs);
    if (pending.length === 0) break;
    if (i > 0) warm = warm.filter((t) => !pending.includes(t.path));
    for (const path of pending) {
      const t0 = o.clock();
      const r = await run(path, {});
      const ms = o.clock() - t0;
      if (i === 0) warmupMs[path] = ms;
      warmSpent.set(path, (warmSpent.get(path) ?? 0) + ms);
      warm.push(...r.timings); // the last warm-up forward of each path chooses the repeats
    }
  }
  const wall = warm.some((t) => t.source === 'wall');
  const resolutionMs =
    o.resolutionMs ?? Math.max(wall ? clockResolutionMs() : 0, timeQuantumMs(warm.map((t) => t.ms)), 1e-6);
  let repeats = chooseRepeats(warm, resolutionMs);

  const runs = new Map<WeightPath, { timings: LayerTiming[][]; totals: number[]; ms: number; last?: R }>();
  const reset = () => {
    for (const path of paths) runs.set(path, { timings: [], totals: [], ms: 0 });
  };
  reset();
  const progress = () =>
    o.onProgress?.({
      samples: Object.fromEntries(paths.map((p) => [p, runs.get(p)!.timings.length])),
      target: o.minSamples,
      warmupMs,
    });
  progress();
  let calibrated = false;
  let elapsed = 0;
  for (;;) {
    const roundStart = o.clock();
    for (const path of paths) {
      const t0 = o.clock();
      const r = await run(path, repeats);
      const s = runs.get(path)!;
      s.ms += o.clock() - t0;
      s.timings.push(r.timings);
      s.totals.push((o.total ?? totalMs)(r.timings, path, r));
      s.last = r;
    }
    const roundMs = o.clock() - roundStart;
    elapsed += roundMs;
    if (!calibrated) {
      // The warm-up's times include first-use costs: choose the repeats again from a warm sample, and
      // start over when an op needs many more runs than the warm-up suggested.
      calibrated = true;
      const again = chooseRepeats(
        paths.flatMap((p) => runs.get(p)!.timings[0]),
        resolutionMs,
      );
      if (Object.entries(again).some(([op, r]) => r > 2 * (repeats[op] ?? 1))) {
        repeats = again;
        reset();
        elapsed = 0;
        continue;
      }
    }
    progress();
    const count = Math.min(...paths.map((p) => runs.get(p)!.timings.length));
    if (count >= o.maxSamples) break;
    if (count >= o.minSamples && paths.every((p) => runs.get(p)!.ms >= o.budgetMs)) break;
    if (count >= o.floorSamples && elapsed + roundMs > o.maxTotalMs) break;
  }

  const measured: Measurement<R>['paths'] = {};
  for (const path of paths) {
    const s = runs.get(path)!;
    measured[path] = {
      path,
      timings: summarizeSamples(s.timings),
      total: spread(s.totals),
      warmupMs: warmupMs[path] ?? Number.NaN,
      result: s.last!,
    };
  }
  return { paths: measured, repeats, resolutionMs };
}

export function measureSummary<R>(m: Measurement<R>): MeasureSummary {
  const entries = Object.values(m.paths).filter((p) => p !== undefined);
  return {
    total: Object.fromEntries(entries.map((p) => [p.path, p.total])),
    warmupMs: Object.fromEntries(entries.map((p) => [p.path, p.warmupMs])),
    repeats: m.repeats,
    resolutionMs: m.resolutionMs,
  };
}

/** A path's measured result: the last sample's logits and activations with the summarized timings. */
export function measuredResult<R extends { timings: LayerTiming[] }>(m: Measurement<R>, path: WeightPath): R {
  const p = m.paths[path];
  if (!p) throw new Error(`measure: path ${path} was not measured`);
  return { ...p.result, timings: p.timings };
}
