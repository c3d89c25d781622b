// The measurement protocol's flags, shared by `run`, `bench-model` and `dnn`, and its JSON/text rendering.

import { formatNumber } from '../bench/table';
import type { Spread } from '../contracts';
import type { MeasureOptions } from '../engine/measure';
import { LIMITS } from '../params/limits';
import { numberFlag, type ParsedArgs, UsageError } from './args';
import { type FlagTable, flag } from './flags';

/** The protocol's flags, spread into the flag table of each command that measures. */
export const MEASURE_FLAGS = {
  samples: flag.int(1, LIMITS.samples, 'timed forwards per path, at least (default 5)'),
  'max-samples': flag.int(1, LIMITS.samples, 'timed forwards per path, at most (default 30)'),
  'budget-ms': flag.number(0, 600_000, 'time per path to keep sampling for (default 300)'),
  'max-total-ms': flag.number(0, 3_600_000, 'stop adding samples past this total (default 60000)'),
} satisfies FlagTable;

/** --samples N (at least N per path), --max-samples, --budget-ms (per path), --max-total-ms. */
export function measureFlags(args: ParsedArgs, defaults: MeasureOptions = {}): MeasureOptions {
  const minSamples = numberFlag(args, 'samples', defaults.minSamples ?? 5);
  const budgetMs = numberFlag(args, 'budget-ms', defaults.budgetMs ?? 300);
  const maxTotalMs = numberFlag(args, 'max-total-ms', defaults.maxTotalMs ?? 60_000);
  const maxSamples = numberFlag(args, 'max-samples', Math.max(minSamples, defaults.maxSamples ?? 30));
  if (!(Number.isInteger(minSamples) && minSamples >= 1))
    throw new UsageError('--samples must be an integer ≥ 1');
  if (!(budgetMs >= 0)) throw new UsageError('--budget-ms must be ≥ 0');
  if (!(maxSamples >= minSamples)) throw new UsageError('--max-samples must be ≥ --samples');
  // An explicit --samples is a promise: the large-model floor never goes below it.
  const floorSamples = args.flags.has('samples') ? minSamples : (defaults.floorSamples ?? 3);
  return { minSamples, budgetMs, maxTotalMs, maxSamples, floorSamples };
}

/** '1.23 (1.10–1.40)': a median with its p10–p90. */
export function spreadCell(s: Pick<Spread, 'ms' | 'p10' | 'p90'>): string {
  if (!Number.isFinite(s.ms)) return '—';
  return `${formatNumber(s.ms)} (${formatNumber(s.p10)}–${formatNumber(s.p90)})`;
}
