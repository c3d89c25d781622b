// What a load's tuning amounts to, counted over the shapes the model's linear layers bind (at the batches
// tuned for), not the whole cached table: a shape runs a tuned kernel only when the kernel it binds differs
// from today's default; else the default was kept after tuning, or tuning never reached the shape.
import { describeChoice } from './candidates';
import { csrKey, denseKey, type KernelChooser } from './table';
import type { TuneRequest } from './tuner';

export interface TuningSummary {
  /** Distinct shapes the layers bind. */
  shapes: number;
  /** Run a kernel other than the default, tuned in this load. */
  tunedNow: number;
  /** Run a kernel other than the default, read from the cache. */
  tunedCached: number;
  /** Tuned (timed against the alternatives), and today's default won or was kept. */
  defaultKept: number;
  /** Never tuned: the budget ran out before it, tuning was skipped or off. */
  notReached: number;
}

/** Counts `request`'s shapes (its `later` ones too) by how their kernel was chosen; `defaults` answers with today's defaults. */
export function summarizeTuning(
  chooser: KernelChooser,
  defaults: KernelChooser,
  request: TuneRequest,
): TuningSummary {
  const summary: TuningSummary = { shapes: 0, tunedNow: 0, tunedCached: 0, defaultKept: 0, notReached: 0 };
  const seen = new Set<string>();
  const count = (key: string, resolve: (c: KernelChooser) => ReturnType<KernelChooser['dense']>) => {
    if (seen.has(key)) return;
    seen.add(key);
    summary.shapes++;
    const chosen = resolve(chooser);
    if (describeChoice(chosen.choice) !== describeChoice(resolve(defaults).choice)) {
      if (chosen.how === 'tuned') summary.tunedNow++;
      else summary.tunedCached++;
      return;
    }
    // A tuned entry (the candidates were compared) answered with the default; else no comparison reached it.
    if (chosen.keptDefault || chosen.how !== 'default') summary.defaultKept++;
    else summary.notReached++;
  };
  for (const shapes of [request, request.later ?? { dense: [], csr: [] }]) {
    for (const s of shapes.dense) count(denseKey(s), (c) => c.dense(s));
    for (const s of shapes.csr) count(csrKey(s), (c) => c.csr(s));
  }
  return summary;
}

/** The shapes tuned with a kernel other than the default (now or cached). */
export function tunedShapes(s: TuningSummary): number {
  return s.tunedNow + s.tunedCached;
}
