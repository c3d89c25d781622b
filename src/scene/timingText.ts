// Pure: what the headline and the timing labels SAY about a measurement (src/engine/measure.ts): medians,
// their p10–p90 spread, whether the difference between the paths is clear, how many samples, which timer,
// and the start-up cost kept apart. The DOM code (ui/status.ts, scene/annotations.ts) only places it.

import type { LayerTiming, MeasureProgress, MeasureSummary, Spread } from '../contracts';
import { compareTotals } from '../math/stats';
import { formatMs, type TimingSummary } from './timingModel';

export interface HeadlineText {
  sparse: string;
  dense: string;
  /** ' 2.3× faster sparse', ' 1.4× slower sparse', or ' no clear difference (medians 1.1× apart)'. */
  verdict: string;
  /** dense / sparse of the medians (null when a path has no total). */
  ratio: number | null;
  clear: boolean;
  /** Hover text: each total's median, p10–p90 and sample count. */
  spreadTitle: string;
  /** 'median of 7 interleaved runs per path · wall clock · CPU'. */
  source: string;
  /** 'start-up (first run, not counted): dense 19 ms, sparse 53 ms', or ''. */
  startup: string;
}

/** 'median 1.20 ms, p10–p90 1.10–1.40 ms, 7 runs'. */
function spreadText(s: Pick<Spread, 'ms' | 'p10' | 'p90' | 'samples'>): string {
  return `median ${formatMs(s.ms)}, p10–p90 ${formatMs(s.p10)}–${formatMs(s.p90)}, ${s.samples} run${s.samples === 1 ? '' : 's'}`;
}

/** The hover text of one timing label: its spread and, when repeated inside a sample, how often. */
export function timingTitle(t: Pick<LayerTiming, 'ms' | 'p10' | 'p90' | 'samples' | 'repeats'>): string {
  if (t.p10 === undefined || t.p90 === undefined || t.samples === undefined)
    return `${formatMs(t.ms)} (one run)`;
  const repeated = (t.repeats ?? 1) > 1 ? ` · each run times it ${t.repeats}× and divides` : '';
  return `${spreadText({ ms: t.ms, p10: t.p10, p90: t.p90, samples: t.samples })}${repeated}`;
}

export function headlineText(
  totals: { dense: Spread; sparse: Spread },
  measure: MeasureSummary | undefined,
  sourceLabel: string,
  backend: string,
): HeadlineText {
  const { dense, sparse } = totals;
  const both = dense.ms > 0 && sparse.ms > 0;
  const { ratio, clear } = both ? compareTotals(dense, sparse) : { ratio: Number.NaN, clear: false };
  let verdict = '';
  if (both && !clear) verdict = ` no clear difference (medians ${ratio.toFixed(1)}× apart)`;
  else if (both)
    verdict =
      ratio >= 1 ? ` ${ratio.toFixed(1)}× faster sparse` : ` ${(1 / ratio).toFixed(1)}× slower sparse`;
  const n = Math.min(dense.samples, sparse.samples);
  const runs = measure ? `median of ${n} interleaved run${n === 1 ? '' : 's'} per path` : 'one run per path';
  const w = measure?.warmupMs;
  const startup =
    w && w.dense !== undefined && w.sparse !== undefined
      ? `start-up (first run, not counted): dense ${formatMs(w.dense)}, sparse ${formatMs(w.sparse)}`
      : '';
  return {
    sparse: `sparse ${formatMs(sparse.ms)}`,
    dense: `dense ${formatMs(dense.ms)}`,
    verdict,
    ratio: both ? ratio : null,
    clear,
    spreadTitle: measure
      ? `sparse: ${spreadText(sparse)}\ndense: ${spreadText(dense)}\n${clear ? 'the p10–p90 ranges do not overlap' : 'the p10–p90 ranges overlap: no clear difference'}`
      : '',
    source: `${runs} · ${sourceLabel} · ${backend}`,
    startup,
  };
}

/** 'collecting samples… 3 of 5 per path' while the protocol runs. */
export function collectingText(p: MeasureProgress): string {
  const got = Math.min(...Object.values(p.samples).map((v) => v ?? 0));
  if (Object.keys(p.warmupMs).length === 0) return 'warming up…';
  return `collecting samples… ${got} of ${p.target} per path`;
}

/**
 * The forward totals the titles and the headline show: with a measurement, each path's median of per-run
 * sums (medians do not add: a sum of per-op medians reads low when load spikes skew the samples).
 */
export function withMeasuredTotals(
  summary: TimingSummary,
  measure: MeasureSummary | undefined,
): TimingSummary {
  const dense = measure?.total.dense?.ms;
  const sparse = measure?.total.sparse?.ms;
  if (dense === undefined || sparse === undefined) return summary;
  return {
    ...summary,
    dense: { ...summary.dense, totalMs: dense },
    sparse: { ...summary.sparse, totalMs: sparse },
    speedup: dense > 0 && sparse > 0 ? dense / sparse : null,
  };
}
