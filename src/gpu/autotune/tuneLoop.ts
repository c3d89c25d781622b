// The choice logic of the autotuner, apart from the GPU so that tests can drive it with fakes: open each
// candidate in turn (compile it and check it against the CPU reference — one that fails is never timed
// and never chosen), warm each up untimed, then time them interleaved (a, b, c, a, b, c, …) so a change
// of load hits all of them, until each has enough samples or the time is up; the fastest median wins.
import { percentile } from '../../math/stats';

/** A candidate ready to time: one sample = ms per dispatch (the trial repeats it above the timer's resolution). */
export interface Trial {
  sample(): Promise<number>;
  dispose(): void;
}

export interface TuneTarget<C> {
  /** Candidates, today's default first. */
  candidates: readonly C[];
  id(candidate: C): string;
  /** Compile the candidate and check its output against the CPU reference; throws when it fails. */
  open(candidate: C): Promise<Trial>;
}

export interface CandidateResult {
  id: string;
  /** Passed the check against the CPU reference. */
  valid: boolean;
  /** Why it failed the check (or could not be compiled). */
  error?: string;
  /** Median ms per dispatch and p10–p90 over its samples (absent: never timed). */
  ms?: number;
  p10?: number;
  p90?: number;
  samples: number;
  /** Each round's ms (round r of every candidate was timed side by side; NaN where none came back). */
  rounds?: number[];
}

export interface TuneOutcome<C> {
  choice: C;
  /**
   * 'tuned': two or more valid candidates were timed against each other (or the default failed its check
   * and another passed); else today's default.
   */
  how: 'tuned' | 'default';
  results: CandidateResult[];
}

export interface TuneLoopOptions {
  /** Stop opening and timing candidates at this clock time (ms). */
  deadline: number;
  clock?: () => number;
  warmup?: number; // untimed samples per candidate (default 1)
  minSamples?: number; // default 3
  maxSamples?: number; // default 5
  /** After the first round, drop candidates this many times slower than the fastest (default 3). */
  pruneRatio?: number;
  /**
   * How long the last candidate took to open (compile, check, warm-up), shared across calls: a candidate
   * is not opened when that long would pass the time for opening. Updated here.
   */
  openCost?: { ms: number };
  /** Skip: once aborted, nothing more is opened or timed (what was timed still counts). */
  signal?: AbortSignal;
}

/** The fastest valid timed candidate (by median), or null when none was. Ties keep the earlier one. */
export function pickFastest(results: readonly CandidateResult[]): number | null {
  let best: number | null = null;
  results.forEach((r, i) => {
    if (!r.valid || r.ms === undefined || !Number.isFinite(r.ms)) return;
    if (best === null || r.ms < (results[best].ms as number)) best = i;
  });
  return best;
}

/** Rounds a challenger must have been timed beside the default, and the share of them it must win. */
const MIN_ROUNDS = 3;
const WIN_SHARE = 0.8;

/**
 * The fastest candidate replaces the default only when it was faster in at least 80 % of the rounds in which
 * the two were timed side by side (at least 3; round r of each ran back to back, so a change of load hits
 * both): a noisy adapter, or a budget that ran out after a round or two, keeps today's kernel rather than
 * a lucky one.
 */
export function keepDefaultUnlessClear(
  results: readonly CandidateResult[],
  best: number | null,
): number | null {
  const base = results[0];
  if (best === null || best === 0 || !base?.valid || base.ms === undefined) return best;
  const a = base.rounds ?? [];
  const b = results[best].rounds ?? [];
  let pairs = 0;
  let wins = 0;
  for (let r = 0; r < Math.min(a.length, b.length); r++) {
    if (!(Number.isFinite(a[r]) && Number.isFinite(b[r]))) continue;
    pairs++;
    if (b[r] < a[r]) wins++;
  }
  return pairs >= MIN_ROUNDS && wins >= Math.ceil(WIN_SHARE * pairs) ? best : 0;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export async function tuneCandidates<C>(
  target: TuneTarget<C>,
  options: TuneLoopOptions,
): Promise<TuneOutcome<C>> {
  const clock = options.clock ?? (() => performance.now());
  const warmup = options.warmup ?? 1;
  const minSamples = options.minSamples ?? 3;
  const maxSamples = Math.max(minSamples, options.maxSamples ?? 5);
  const pruneRatio = options.pruneRatio ?? 3;
  // Compiling and checking stop at 60% of the time, so that the candidates opened can still be timed.
  const start = clock();
  const openUntil = start + 0.6 * (options.deadline - start);
  const results: CandidateResult[] = target.candidates.map((c) => ({
    id: target.id(c),
    valid: false,
    samples: 0,
  }));
  const samples: number[][] = target.candidates.map(() => []);
  const trials = new Map<number, Trial>();
  /** A candidate that failed to open, warm up or time: invalid, never chosen, its trial disposed. */
  const drop = (i: number, err: unknown) => {
    results[i].valid = false;
    results[i].error = errorMessage(err);
    samples[i] = [];
    trials.get(i)?.dispose();
    trials.delete(i);
  };
  // How long one sample (a warm-up or a timed one) of candidate i took last, by the clock: what its next
  // is expected to take (the default's, before its own first). A sample, or a candidate's opening, that
  // would not end before its cutoff is not started: one dispatch at a large shape can take seconds.
  const sampleMs: (number | undefined)[] = target.candidates.map(() => undefined);
  const expectedSample = (i: number) => sampleMs[i] ?? sampleMs[0] ?? 0;
  const fits = (ms: number) => clock() + ms < options.deadline && !options.signal?.aborted;
  const timedSample = async (i: number, trial: Trial) => {
    const t0 = clock();
    const ms = await trial.sample();
    sampleMs[i] = clock() - t0;
    return ms;
  };
  try {
    const openCost = options.openCost ?? { ms: 0 };
    // The default's opening at this shape (its check and warm-up run the real shape): a floor for the others',
    // whose compile comes on top — the shared openCost may come from a smaller shape.
    let defaultOpenMs = 0;
    const mayOpen = (i: number) =>
      clock() + (i === 0 ? 0 : Math.max(openCost.ms, defaultOpenMs)) < openUntil && !options.signal?.aborted;
    for (let i = 0; i < target.candidates.length && mayOpen(i); i++) {
      const t0 = clock();
      try {
        const trial = await target.open(target.candidates[i]);
        results[i].valid = true;
        trials.set(i, trial);
        for (let w = 0; w < warmup && fits(expectedSample(i)); w++) await timedSample(i, trial);
      } catch (err) {
        drop(i, err);
      }
      // The latest cost: pipelines are cached per device, so a shape whose candidates share constants with
      // one tuned before opens them far faster. (The default's kernel is usually compiled already — the
      // engine's own — so its cost says little beyond the shape's dispatch time.)
      if (i > 0) openCost.ms = clock() - t0;
      else defaultOpenMs = clock() - t0;
    }
    let live = [...trials.keys()];
    // A round is started only when one like the last still fits before the deadline; inside the first,
    // each sample is started only while there is time (an unfinished round leaves fewer samples to some).
    let lastRoundMs = 0;
    for (let round = 0; round < maxSamples && live.length > 0; round++) {
      const roundStart = clock();
      if (roundStart + lastRoundMs >= options.deadline || options.signal?.aborted) break;
      for (const i of live) {
        if (!fits(expectedSample(i))) break;
        try {
          samples[i].push(await timedSample(i, trials.get(i) as Trial));
        } catch (err) {
          drop(i, err);
        }
      }
      live = live.filter((i) => trials.has(i));
      lastRoundMs = clock() - roundStart;
      if (round === 0 && live.length > 1) {
        const best = Math.min(...live.flatMap((i) => samples[i].slice(0, 1)).filter(Number.isFinite));
        // The default is never dropped: the choice is measured against it on the same rounds.
        live = live.filter((i) => i === 0 || (samples[i].length > 0 && samples[i][0] <= pruneRatio * best));
      }
    }
  } finally {
    for (const t of trials.values()) t.dispose();
  }
  samples.forEach((xs, i) => {
    const finite = xs.filter(Number.isFinite);
    results[i].samples = finite.length;
    if (xs.length > 0) results[i].rounds = xs;
    if (finite.length === 0) return;
    results[i].ms = percentile(finite, 50);
    results[i].p10 = percentile(finite, 10);
    results[i].p90 = percentile(finite, 90);
  });
  const timed = results.filter((r) => r.valid && r.samples > 0).length;
  const best = keepDefaultUnlessClear(results, pickFastest(results));
  // One timed candidate is no comparison, unless the default itself failed its check.
  const compared = timed >= 2 || (best !== null && results[0].error !== undefined);
  if (best === null || !compared) return { choice: target.candidates[0], how: 'default', results };
  return { choice: target.candidates[best], how: 'tuned', results };
}
