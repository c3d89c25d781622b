// A cached choice is trusted only when it is one of today's candidates for its shape on this adapter: a
// hand-edited or stale entry (an unknown variant, a tile too big for the adapter) would otherwise load as
// 'cached' and make every model load fail. Entries that are not are dropped with one warning.
import type { CsrTuning } from '../kernels/spmmCsr';
import {
  type AdapterCaps,
  csrCandidates,
  denseCandidates,
  describeChoice,
  type KernelChoice,
} from './candidates';
import type { TuningTable } from './table';

const DENSE_KEY = /^dense (\d+)x(\d+) b(\d+)$/;
const CSR_KEY = /^csr (\d+)x(\d+) r(\d+) b(\d+)$/;
/** Row lengths that reach every CSR candidate list (the threads per row change at 16 and 64). */
const CSR_ROW_LENGTHS = [1, 16, 64];

/** The candidate a stored choice names (same family, variant and constants), or undefined. */
function match(stored: KernelChoice, candidates: readonly KernelChoice[]): KernelChoice | undefined {
  let text: string;
  try {
    text = describeChoice(stored); // throws on a choice without its family's constants
  } catch {
    return undefined;
  }
  return candidates.find((c) => c.family === stored.family && describeChoice(c) === text);
}

/** Today's candidates for a table key, or null when the key is not one. */
function candidatesFor(key: string, caps: AdapterCaps, csrTuning: CsrTuning): KernelChoice[] | null {
  const d = DENSE_KEY.exec(key);
  if (d) return denseCandidates({ n: Number(d[1]), k: Number(d[2]), batch: Number(d[3]) }, caps);
  const c = CSR_KEY.exec(key);
  if (!c) return null;
  const [n, k, bucket, batch] = c.slice(1).map(Number);
  return [bucket, ...CSR_ROW_LENGTHS].flatMap((nnzPerRow) =>
    csrCandidates({ n, k, batch, nnzPerRow }, caps, csrTuning),
  );
}

/** The entries of `table` whose choice is one of today's candidates for their shape (a new table). */
export function keepCurrentChoices(
  table: TuningTable,
  caps: AdapterCaps,
  csrTuning: CsrTuning,
  warn: (message: string) => void,
): TuningTable {
  const kept: TuningTable = {};
  const dropped: string[] = [];
  for (const [key, entry] of Object.entries(table)) {
    const candidates = candidatesFor(key, caps, csrTuning);
    const found = key.endsWith(` b${entry.batch}`) ? match(entry.choice, candidates ?? []) : undefined;
    // The candidate itself is kept (today's full constants), not the stored object.
    if (found) kept[key] = { ...entry, choice: found };
    else dropped.push(key);
  }
  if (dropped.length > 0) {
    const shown = dropped.slice(0, 3).join(', ');
    const more = dropped.length > 3 ? ` and ${dropped.length - 3} more` : '';
    warn(
      `tuning cache: ${dropped.length} cached choice${dropped.length === 1 ? ' is' : 's are'} not a kernel this adapter can run today (${shown}${more}), ignored`,
    );
  }
  return kept;
}
