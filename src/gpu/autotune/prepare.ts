// Tuning as a model load or a sweep uses it: read the cache for this adapter and kernel version, tune the
// shapes it lacks within the budget (or every shape asked for, on retune — those never compared first —
// keeping the cache's other shapes; none, when tuning is off), save, and hand
// back the chooser every linear layer asks for its kernel.

import type { GpuContext } from '../context';
import { csrTuningFor } from '../kernels/spmmCsr';
import {
  adapterIdentity,
  kernelVersion,
  loadTuning,
  saveTuning,
  type TuningStore,
  tuningCacheKey,
} from './cache';
import { LinearKernels, type LinearUse } from './linearKernels';
import { mergeTuned, retuneRequest } from './retunePlan';
import { summarizeTuning, type TuningSummary } from './summary';
import { csrKey, denseKey, KernelChooser, type TuningTable } from './table';
import { type AutotuneOptions, type AutotuneReport, adapterCaps, autotune, type TuneRequest } from './tuner';
import { keepCurrentChoices } from './validate';

/** 'auto': cached choices, tune what is missing; 'retune': re-tune the shapes asked for; 'off': today's defaults. */
type TuningMode = 'auto' | 'retune' | 'off';

export interface PrepareTuningOptions extends AutotuneOptions {
  mode?: TuningMode;
  /** Where the cache lives; none: tune every time and keep nothing. */
  store?: TuningStore;
  warn?: (message: string) => void;
}

export interface PreparedTuning {
  chooser: KernelChooser;
  /** This run's tuning (absent when nothing needed tuning). */
  report?: AutotuneReport;
  /** Shapes whose choices came from the cache. */
  cached: number;
  cacheKey: string;
  /** How the kernels the layers bind were chosen (summary.ts). */
  summary: TuningSummary;
}

export async function prepareTuning(
  ctx: GpuContext,
  request: TuneRequest,
  options: PrepareTuningOptions = {},
): Promise<PreparedTuning> {
  const mode = options.mode ?? 'auto';
  const warn = options.warn ?? ((m: string) => console.warn(m));
  const cacheKey = tuningCacheKey(adapterIdentity(ctx), kernelVersion());
  const chooser = (table: TuningTable, fresh: Set<string>) =>
    new KernelChooser(table, fresh, adapterCaps(ctx), csrTuningFor(ctx));
  const defaults = chooser({}, new Set());
  const done = (c: KernelChooser, cached: number, report?: AutotuneReport): PreparedTuning => ({
    chooser: c,
    report,
    cached,
    cacheKey,
    summary: summarizeTuning(c, defaults, request),
  });
  if (mode === 'off') return done(defaults, 0);
  const loaded = options.store ? loadTuning(options.store, cacheKey, warn) : null;
  const stored = loaded ? keepCurrentChoices(loaded, adapterCaps(ctx), csrTuningFor(ctx), warn) : {};
  let missing: TuneRequest;
  let cached = 0;
  if (mode === 'retune') {
    // Every shape asked for, those never compared first; the cache's other shapes are kept.
    missing = retuneRequest(request, stored);
  } else {
    // A shape left at the default because time ran out stays so until a retune: a reload does no tuning.
    const known = (key: string) => stored[key] !== undefined;
    const first = missingOf(request, known);
    // A later shape that is also a first one is tuned with the first.
    const asked = new Set([...request.dense.map(denseKey), ...request.csr.map(csrKey)]);
    const rest = request.later ?? { dense: [], csr: [] };
    const later = missingOf(
      {
        dense: rest.dense.filter((s) => !asked.has(denseKey(s))),
        csr: rest.csr.filter((s) => !asked.has(csrKey(s))),
      },
      known,
    );
    cached = first.cached + later.cached;
    missing = { ...first.missing, later: later.missing };
    if (count(first.missing) + count(later.missing) === 0) {
      return done(chooser(stored, new Set()), cached);
    }
  }
  const report = await autotune(ctx, missing, options);
  const { table, decided } = mergeTuned(stored, report.table);
  if (options.store) saveTuning(options.store, cacheKey, table, ctx.adapterLabel, warn);
  return done(chooser(table, decided), cached, report);
}

/**
 * The linear layers' kernels with the tuned choices — or, when those fail to build (a choice the adapter
 * rejects), today's defaults with a warning: a bad choice costs speed, never the GPU path.
 */
export async function linearKernelsFor(
  ctx: GpuContext,
  tuned: PreparedTuning,
  uses: readonly LinearUse[],
  warn: (message: string) => void = (m) => console.warn(m),
): Promise<{ linear: LinearKernels; tuned: PreparedTuning }> {
  try {
    return { linear: await LinearKernels.create(ctx, tuned.chooser, uses), tuned };
  } catch (err) {
    warn(`the tuned kernels could not be built (${(err as Error).message}); today's defaults run instead`);
    const chooser = new KernelChooser({}, new Set(), adapterCaps(ctx), csrTuningFor(ctx));
    const { shapes } = tuned.summary;
    const summary = { shapes, tunedNow: 0, tunedCached: 0, defaultKept: 0, notReached: shapes };
    const defaults: PreparedTuning = { chooser, cached: 0, cacheKey: tuned.cacheKey, summary };
    return { linear: await LinearKernels.create(ctx, chooser, uses), tuned: defaults };
  }
}

type Shapes = Pick<TuneRequest, 'dense' | 'csr'>;

function count(shapes: Shapes): number {
  return shapes.dense.length + shapes.csr.length;
}

/** The distinct shapes not in the cache, and how many distinct ones were. */
function missingOf(shapes: Shapes, known: (key: string) => boolean): { missing: Shapes; cached: number } {
  const dense = unique(shapes.dense, denseKey);
  const csr = unique(shapes.csr, csrKey);
  const missing = {
    dense: dense.filter((s) => !known(denseKey(s))),
    csr: csr.filter((s) => !known(csrKey(s))),
  };
  return { missing, cached: dense.length + csr.length - count(missing) };
}

function unique<T>(items: readonly T[], key: (t: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const item of items) if (!seen.has(key(item))) seen.set(key(item), item);
  return [...seen.values()];
}
