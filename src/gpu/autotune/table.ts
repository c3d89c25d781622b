// The tuned choices, keyed by shape, and how a layer of any batch finds its kernel: the choice tuned at
// the nearest batch of the same shape (within a factor of 8, and only where today's default is the same
// kernel family — GEMV and tiled regimes differ), else today's default. Each answer says how it was chosen: tuned in this session, read from the cache, or the default.
import type { KernelChoiceOrigin } from '../../contracts';
import type { DenseShape } from '../kernels/matmul';
import type { CsrTuning } from '../kernels/spmmCsr';
import {
  type AdapterCaps,
  type CsrShape,
  defaultCsrChoice,
  defaultDenseChoice,
  describeChoice,
  type KernelChoice,
} from './candidates';

export interface TunedChoice {
  choice: KernelChoice;
  /** The batch it was tuned at. */
  batch: number;
  /** 'default': tuning ran out of time or found nothing better to compare. */
  how: 'tuned' | 'default';
  /**
   * 'budget': the time budget ran out before this shape was reached (never compared; a retune tunes it
   * first). Absent: it was compared (entries saved before this field existed count as compared).
   */
  reason?: 'budget';
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
  /** Tuning compared the candidates at this shape and today's default won (how is then 'default'). */
  keptDefault?: boolean;
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

  /**
   * The entry tuned at the nearest batch whose default kernel is the target batch's default too: a choice
   * measured in the GEMV regime (or CSR's small-batch one) is never carried into another regime unmeasured.
   */
  private nearest(
    family: string,
    batch: number,
    defaultAt: (batch: number) => KernelChoice,
  ): { key: string; entry: TunedChoice } | null {
    const regime = defaultAt(batch).variant;
    let best: { key: string; entry: TunedChoice; distance: number } | null = null;
    for (const [key, entry] of Object.entries(this.table)) {
      if (entry.how !== 'tuned' || key !== `${family} b${entry.batch}`) continue;
      if (defaultAt(entry.batch).variant !== regime) continue;
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

  private resolve(family: string, batch: number, defaultAt: (batch: number) => KernelChoice): ResolvedChoice {
    const fallback = defaultAt(batch);
    const found = this.nearest(family, batch, defaultAt);
    if (!found) return { choice: fallback, how: 'default' };
    // Tuning kept the default here: say 'default' (no other kernel runs), remembering it was compared.
    if (describeChoice(found.entry.choice) === describeChoice(defaultAt(found.entry.batch))) {
      return { choice: fallback, how: 'default', tunedAtBatch: found.entry.batch, keptDefault: true };
    }
    return {
      choice: found.entry.choice,
      how: this.fresh.has(found.key) ? 'tuned' : 'cached',
      tunedAtBatch: found.entry.batch,
    };
  }

  dense(shape: DenseShape): ResolvedChoice {
    const defaultAt = (batch: number) => defaultDenseChoice({ ...shape, batch }, this.caps.fallbackAdapter);
    const fallback = defaultAt(shape.batch);
    const r = this.resolve(denseFamily(shape.n, shape.k), shape.batch, defaultAt);
    // A vec4 choice needs K % 4 == 0 (the table is keyed by K, so this holds; kept as a guard).
    if (r.choice.family !== 'dense' || (r.choice.variant.endsWith('vec4') && shape.k % 4 !== 0)) {
      return { choice: fallback, how: 'default' };
    }
    return r;
  }

  csr(shape: CsrShape): ResolvedChoice {
    const defaultAt = (batch: number) => defaultCsrChoice(batch, this.caps, this.csrTuning);
    const fallback = defaultAt(shape.batch);
    const r = this.resolve(csrFamily(shape), shape.batch, defaultAt);
    if (r.choice.family !== 'csr' || (r.choice.variant === 'subgroup' && !this.caps.subgroups)) {
      return { choice: fallback, how: 'default' };
    }
    return r;
  }
}
