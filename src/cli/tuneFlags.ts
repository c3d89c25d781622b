// The autotuner's flags, shared by `run`, `bench` and `bench-model`: tuned kernels by default (cached per
// adapter in $XDG_CACHE_HOME/sparsescope/tuning.json, else ~/.cache/…), --retune to ignore the cache and
// tune again, --no-tune for today's default kernels, --tune-budget-ms to bound the tuning.
import { mergeCacheText } from '../gpu/autotune/cache';
import type { PreparedTuning, PrepareTuningOptions } from '../gpu/autotune/prepare';
import { tunedShapes } from '../gpu/autotune/summary';
import { tuningCachePath, tuningFileStore } from '../node/tuningFile';
import { numberFlag, type ParsedArgs, stringFlag, UsageError } from './args';
import { type FlagTable, flag } from './flags';

export const TUNE_FLAGS = {
  retune: flag.bool('ignore the kernel tuning cache and tune again'),
  'no-tune': flag.bool("run today's default kernels (no tuning, no cache)"),
  'tune-budget-ms': flag.number(
    0,
    3_600_000,
    'time kernel tuning may take (default 10000; 4000 on a CPU-emulated adapter)',
  ),
  'tune-cache': flag.text('the tuning cache file (default $XDG_CACHE_HOME/sparsescope/tuning.json)'),
} satisfies FlagTable;

export function tuneOptions(args: ParsedArgs): PrepareTuningOptions {
  const retune = args.flags.has('retune');
  const off = args.flags.has('no-tune');
  if (retune && off) throw new UsageError('give --retune or --no-tune, not both');
  const path = stringFlag(args, 'tune-cache');
  return {
    mode: off ? 'off' : retune ? 'retune' : 'auto',
    budgetMs: args.flags.has('tune-budget-ms') ? numberFlag(args, 'tune-budget-ms', 10_000) : undefined,
    store: tuningFileStore(path ?? tuningCachePath(), mergeCacheText),
    warn: (m) => console.error(`warning: ${m}`),
    onProgress: (p) => {
      const line = `[tuning kernels ${p.done}/${p.total}, ${(p.elapsedMs / 1000).toFixed(1)} s] ${p.current}`;
      process.stderr.write(`\r${line.padEnd(72)}${p.current === 'done' ? '\n' : ''}`);
    },
  };
}

/**
 * One line on how the kernels the model's layers bind were chosen: how many shapes run a kernel tuned on
 * this adapter (other than the default; tuned now, in how long of what budget, or from the cache), how many
 * kept the default after tuning, and how many tuning did not reach.
 */
export function tuningLine(t: PreparedTuning | null): string {
  if (!t) return 'kernels: default choices (no tuning)';
  const r = t.report;
  if (!r && t.cached === 0) return 'kernels: default choices (tuning off)';
  const s = t.summary;
  const how: string[] = [];
  if (r)
    how.push(
      `${s.tunedNow} tuned now in ${(r.elapsedMs / 1000).toFixed(1)} s (budget ${(r.budgetMs / 1000).toFixed(1)} s)`,
    );
  if (s.tunedCached > 0 || !r) how.push(`${s.tunedCached} from the cache`);
  return (
    `kernels: ${tunedShapes(s)} of ${s.shapes} shapes run a kernel tuned on this adapter (${how.join(', ')}); ` +
    `${s.defaultKept} default kept after tuning, ${s.notReached} default (not reached)`
  );
}
