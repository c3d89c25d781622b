// What a retune tunes, and in what order: only the shapes asked for (the cache's other shapes — another
// model's, a sweep's — are kept), those never compared first (not in the cache, or left at the default
// because the budget ran out before them), then those already compared. On a slow adapter whose budget
// reaches a few shapes per run, each retune thus reaches shapes no earlier run did, instead of re-tuning
// the same first few.
import { csrKey, denseKey, type TuningTable } from './table';
import type { TuneRequest } from './tuner';

type Shapes = Pick<TuneRequest, 'dense' | 'csr'>;

/** Never compared at this shape: absent from the cache, or recorded as not reached. */
function notReached(stored: TuningTable, key: string): boolean {
  const entry = stored[key];
  return entry === undefined || entry.reason === 'budget';
}

/**
 * The request a retune runs: the shapes never compared (first ones, then `later` ones, as asked), then the
 * shapes compared before (in the same order, as `again`). A shape in both `request` and `later` counts as
 * a first one, once.
 */
export function retuneRequest(request: TuneRequest, stored: TuningTable): TuneRequest {
  const first: Shapes = { dense: uniqueBy(request.dense, denseKey), csr: uniqueBy(request.csr, csrKey) };
  const asked = new Set([...first.dense.map(denseKey), ...first.csr.map(csrKey)]);
  const rest = request.later ?? { dense: [], csr: [] };
  const later: Shapes = {
    dense: uniqueBy(rest.dense, denseKey).filter((s) => !asked.has(denseKey(s))),
    csr: uniqueBy(rest.csr, csrKey).filter((s) => !asked.has(csrKey(s))),
  };
  const pick = (shapes: Shapes, reached: boolean): Shapes => ({
    dense: shapes.dense.filter((s) => notReached(stored, denseKey(s)) !== reached),
    csr: shapes.csr.filter((s) => notReached(stored, csrKey(s)) !== reached),
  });
  return { ...pick(first, false), later: pick(later, false), again: [pick(first, true), pick(later, true)] };
}

function uniqueBy<T>(items: readonly T[], key: (t: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const item of items) if (!seen.has(key(item))) seen.set(key(item), item);
  return [...seen.values()];
}

/**
 * The cache after a run: every stored entry (other models' and sweeps' shapes included) with this run's
 * entries over them — except where this run's budget did not reach a shape compared before, whose earlier
 * result stands. Also says which keys this run decided.
 */
export function mergeTuned(
  stored: TuningTable,
  fresh: TuningTable,
): { table: TuningTable; decided: Set<string> } {
  const table: TuningTable = { ...stored };
  const decided = new Set<string>();
  for (const [key, entry] of Object.entries(fresh)) {
    if (entry.reason === 'budget' && stored[key] !== undefined) continue;
    table[key] = entry;
    decided.add(key);
  }
  return { table, decided };
}
