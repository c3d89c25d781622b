// The tuned choices, keyed by shape, and how a layer of any batch finds its kernel: the choice tuned at
// the nearest batch of the same shape (within a factor of 8 — GEMV and tiled regimes differ), else today's
// default. Each answer says how it was chosen: tuned in this session, read from the cache, or the default.
import type { KernelChoiceOrigin } from '../../contracts';
import type { DenseShape } from '../kernels/matmul';
import type { CsrTuning } from '../kernels/spmmCsr';
import {
  type AdapterCaps,
  type CsrShape,
  defaultCsrChoice,
  defaultDenseChoice,
  type KernelChoice,
} from './candidates';

export interface TunedChoice {
  choice: KernelChoice;
  /** The batch it was tuned at. */
  batch: number;
  /** 'default': tuning ran out of time or found nothing better to compare. */
  how: 'tuned' | 'default';
  /** Median ms per dispatch of the choice and of today's default, in the same tuning run. */
  ms?: number;
  defaultMs?: number;
}

/** Shape key → choice. */
export type TuningTable = Record<string, TunedChoice>;

export type ChoiceOrigin = KernelChoiceOrigin;

export interface ResolvedChoice {
  choice: KernelChoice;
  how: ChoiceOrigin;
  /** The batch the choice was tuned at (tuned or cached only). */
  tunedAtBatch?: number;
}

/** Nonzeros per row rounded to a power of two: CSR choices are shared within a bucket. */
function rowBucket(nnzPerRow: number): number {
  return 2 ** Math.max(0, Math.round(Math.log2(Math.max(1, nnzPerRow))));
}

function denseFamily(n: number, k: number): string {
  return `dense ${n}x${k}`;
}

function csrFamily(shape: Omit<CsrShape, 'batch'>): string {
  return `csr ${shape.n}x${shape.k} r${rowBucket(shape.nnzPerRow)}`;
}

export function denseKey(shape: DenseShape): string {
  return `${denseFamily(shape.n, shape.k)} b${shape.batch}`;
}

export function csrKey(shape: CsrShape): string {
  return `${csrFamily(shape)} b${shape.batch}`;
}

/** How far (in doublings) a choice tuned at one batch is used for another. */
const MAX_BATCH_DOUBLINGS = 3;

export class KernelChooser {
  /**
   * `table`: every choice known; `fresh`: the keys tuned in this session (the rest came from the cache).
   * `csrTuning`: today's CSR tuning on this adapter (csrTuningFor).
   */
  constructor(
    readonly table: TuningTable,
    private readonly fresh: ReadonlySet<string>,
    private readonly caps: AdapterCaps,
    private readonly csrTuning: CsrTuning,
  ) {}

  private nearest(family: string, batch: number): { key: string; entry: TunedChoice } | null {
    let best: { key: string; entry: TunedChoice; distance: number } | null = null;
    for (const [key, entry] of Object.entries(this.table)) {
      if (entry.how !== 'tuned' || key !== `${family} b${entry.batch}`) continue;
      const distance = Math.abs(Math.log2(entry.batch) - Math.log2(batch));
      if (distance > MAX_BATCH_DOUBLINGS) continue;
      // Ties go to the larger batch (a kernel tuned for more rows wastes less on a few more).
      if (
        !best ||
        distance < best.distance ||
        (distance === best.distance && entry.batch > best.entry.batch)
      ) {
        best = { key, entry, distance };
      }
    }
    return best;
  }

  private resolve(family: string, batch: number, fallback: KernelChoice): ResolvedChoice {
    const found = this.nearest(family, batch);
    if (!found) return { choice: fallback, how: 'default' };
    return {
      choice: found.entry.choice,
      how: this.fresh.has(found.key) ? 'tuned' : 'cached',
      tunedAtBatch: found.entry.batch,
    };
  }

  dense(shape: DenseShape): ResolvedChoice {
    const fallback = defaultDenseChoice(shape, this.caps.fallbackAdapter);
    const r = this.resolve(denseFamily(shape.n, shape.k), shape.batch, fallback);
    // A vec4 choice needs K % 4 == 0 (the table is keyed by K, so this holds; kept as a guard).
    if (r.choice.family !== 'dense' || (r.choice.variant.endsWith('vec4') && shape.k % 4 !== 0)) {
      return { choice: fallback, how: 'default' };
    }
    return r;
  }

  csr(shape: CsrShape): ResolvedChoice {
    const fallback = defaultCsrChoice(shape.batch, this.caps, this.csrTuning);
    const r = this.resolve(csrFamily(shape), shape.batch, fallback);
    if (r.choice.family !== 'csr' || (r.choice.variant === 'subgroup' && !this.caps.subgroups)) {
      return { choice: fallback, how: 'default' };
    }
    return r;
  }
}
