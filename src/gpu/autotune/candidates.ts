// What the autotuner may choose between, per shape: a handful of dense GEMM/GEMV and CSR SpMM variants
// with their override constants, always led by today's default choice (the one that runs untuned).
// Candidates that cannot run on this adapter (workgroup too large, too much workgroup memory, no
// subgroups) are left out here; the rest are still checked against the CPU reference before they count.
import {
  chooseDenseVariant,
  type DenseShape,
  type DenseTuning,
  type DenseVariant,
  denseTuningFor,
  tiledTile,
} from '../kernels/matmul';
import {
  type CsrTuning,
  type CsrVariant,
  chooseCsrVariant,
  csrMaxTb,
  DEFAULT_CSR_TUNING,
} from '../kernels/spmmCsr';

export interface DenseChoice {
  family: 'dense';
  variant: DenseVariant;
  tuning: DenseTuning;
}

export interface CsrChoice {
  family: 'csr';
  variant: CsrVariant;
  tuning: CsrTuning;
}

export type KernelChoice = DenseChoice | CsrChoice;

/** What the adapter allows and offers (a GpuContext's, or a plain object in tests). */
export interface AdapterCaps {
  fallbackAdapter: boolean;
  subgroups: boolean;
  maxInvocations: number; // maxComputeInvocationsPerWorkgroup
  maxWorkgroupStorage: number; // maxComputeWorkgroupStorageSize, bytes
}

/** A CSR layer's shape for tuning: batch, and nonzeros per output row (its kernels care about that). */
export interface CsrShape {
  batch: number;
  n: number;
  k: number;
  nnzPerRow: number;
}

/** A choice's override constants that matter (its own family's), e.g. 'tiled-vec4 TX=4 TY=4 RM=2 RN=2 BK=8'. */
export function describeChoice(choice: KernelChoice): string {
  const constants: Record<string, number> =
    choice.family === 'dense'
      ? choice.tuning[
          choice.variant === 'naive' ? 'naive' : choice.variant.startsWith('tiled') ? 'tiled' : 'gemv'
        ]
      : choice.tuning[choice.variant];
  const text = Object.entries(constants)
    .map(([name, v]) => `${name}=${v}`)
    .join(' ');
  return `${choice.variant} ${text}`;
}

/** Workgroup memory of the tiled kernel: x and W slices of BK × BM and BK × BN floats. */
function tiledStorageBytes(t: DenseTuning): number {
  const { bm, bn } = tiledTile(t);
  return 4 * t.tiled.BK * (bm + bn);
}

function denseFits(choice: DenseChoice, caps: AdapterCaps): boolean {
  const t = choice.tuning;
  if (choice.variant.startsWith('tiled')) {
    return t.tiled.TX * t.tiled.TY <= caps.maxInvocations && tiledStorageBytes(t) <= caps.maxWorkgroupStorage;
  }
  if (choice.variant.startsWith('gemv')) {
    const size = t.gemv.ROWS * t.gemv.LANES;
    return size <= caps.maxInvocations && 4 * size <= caps.maxWorkgroupStorage;
  }
  return t.naive.WG <= caps.maxInvocations;
}

/** Tiled shapes tried: the fallback and GPU defaults, 4×4 register blocks, a wider and a deeper tile. */
const TILED_OPTIONS: DenseTuning['tiled'][] = [
  { TX: 4, TY: 4, RM: 2, RN: 2, BK: 8 },
  { TX: 8, TY: 8, RM: 2, RN: 2, BK: 16 },
  { TX: 8, TY: 8, RM: 1, RN: 1, BK: 16 },
  { TX: 16, TY: 8, RM: 1, RN: 2, BK: 8 },
  { TX: 4, TY: 4, RM: 2, RN: 2, BK: 16 },
];
/** GEMV workgroups tried: a column per invocation, a warp per column, and between. */
const GEMV_OPTIONS: DenseTuning['gemv'][] = [
  { ROWS: 64, LANES: 1 },
  { ROWS: 8, LANES: 32 },
  { ROWS: 16, LANES: 16 },
  { ROWS: 32, LANES: 4 },
];
/** At most this many candidates per shape, the default included. */
const MAX_CANDIDATES = 5;

function sameTuning(a: KernelChoice, b: KernelChoice): boolean {
  return a.variant === b.variant && describeChoice(a) === describeChoice(b);
}

function bounded<C extends KernelChoice>(list: C[]): C[] {
  const out: C[] = [];
  for (const c of list) if (!out.some((o) => sameTuning(o, c))) out.push(c);
  return out.slice(0, MAX_CANDIDATES);
}

/** Today's dense choice for a shape on this adapter: what runs when nothing was tuned. */
export function defaultDenseChoice(shape: DenseShape, fallbackAdapter: boolean): DenseChoice {
  return { family: 'dense', variant: chooseDenseVariant(shape), tuning: denseTuningFor(fallbackAdapter) };
}

/** The dense candidates for a shape, default first. */
export function denseCandidates(shape: DenseShape, caps: AdapterCaps): DenseChoice[] {
  const base = defaultDenseChoice(shape, caps.fallbackAdapter);
  const load = shape.k % 4 === 0 ? 'vec4' : 'scalar';
  const list: DenseChoice[] = [base];
  const tiled = (t: DenseTuning['tiled']): DenseChoice => ({
    family: 'dense',
    variant: `tiled-${load}`,
    tuning: { ...base.tuning, tiled: t },
  });
  const gemv = (g: DenseTuning['gemv']): DenseChoice => ({
    family: 'dense',
    variant: `gemv-${load}`,
    tuning: { ...base.tuning, gemv: g },
  });
  if (shape.batch <= 8) list.push(...GEMV_OPTIONS.map(gemv), tiled(base.tuning.tiled));
  else {
    list.push(...TILED_OPTIONS.map(tiled));
    if (shape.batch <= 16) list.push(gemv(base.tuning.gemv));
  }
  // The same kernel with scalar loads: vec4 loads are not faster everywhere.
  if (load === 'vec4')
    list.splice(2, 0, { ...base, variant: base.variant.replace('vec4', 'scalar') as DenseVariant });
  return bounded(list.filter((c) => c === base || denseFits(c, caps)));
}

/** Today's CSR choice on this adapter. */
export function defaultCsrChoice(batch: number, caps: AdapterCaps, tuning: CsrTuning): CsrChoice {
  const variant = chooseCsrVariant({
    batch,
    subgroups: caps.subgroups,
    fallbackAdapter: caps.fallbackAdapter,
  });
  return { family: 'csr', variant, tuning };
}

/** The CSR candidates for a shape, default first; `tuning` is today's (csrTuningFor). */
export function csrCandidates(shape: CsrShape, caps: AdapterCaps, tuning: CsrTuning): CsrChoice[] {
  const base = defaultCsrChoice(shape.batch, caps, tuning);
  const choice = (variant: CsrVariant, constants: Partial<CsrTuning[CsrVariant]>): CsrChoice => ({
    family: 'csr',
    variant,
    tuning: { ...tuning, [variant]: { ...tuning[variant], ...constants } },
  });
  const tb = (want: number, v: CsrVariant) => Math.max(1, Math.min(want, shape.batch, csrMaxTb(v)));
  const list: CsrChoice[] = [base];
  list.push(choice('batched', { TB: tb(shape.batch <= 4 ? 1 : 8, 'batched') }));
  if (shape.batch > 8)
    list.push(choice('batched', { TB: tb(16, 'batched') }), choice('batched', { WG: 128 }));
  // Long rows want more threads per row; short ones fewer barriers.
  const tpr = shape.nnzPerRow >= 64 ? 16 : shape.nnzPerRow >= 16 ? 8 : 4;
  list.push(choice('workgroup', { THREADS_PER_ROW: tpr, TB: tb(8, 'workgroup') }));
  if (caps.subgroups) list.push(choice('subgroup', { TB: tb(8, 'subgroup') }));
  const fits = (c: CsrChoice) => {
    const t = c.tuning[c.variant];
    const storage = c.variant === 'workgroup' ? 4 * t.WG * t.TB : 0;
    return t.WG <= caps.maxInvocations && storage <= caps.maxWorkgroupStorage;
  };
  return bounded(list.filter((c) => c === base || fits(c)));
}

/**
 * The candidate lists (variants and constants, default first) over representative shapes and adapters, as
 * text: part of the cache's kernel version, so a change to the options, the defaults or the rules that pick
 * them makes cached choices miss — nothing to bump by hand.
 */
export function candidatesFingerprint(): string {
  const lists: string[] = [];
  for (const fallbackAdapter of [false, true]) {
    for (const subgroups of [false, true]) {
      const caps: AdapterCaps = {
        fallbackAdapter,
        subgroups,
        maxInvocations: 256,
        maxWorkgroupStorage: 16384,
      };
      const tuning = { ...DEFAULT_CSR_TUNING };
      for (const batch of [1, 4, 8, 9, 16, 17, 64, 512]) {
        for (const k of [64, 65])
          lists.push(...denseCandidates({ batch, n: 96, k }, caps).map(describeChoice));
        for (const nnzPerRow of [4, 16, 64]) {
          lists.push(...csrCandidates({ batch, n: 96, k: 64, nnzPerRow }, caps, tuning).map(describeChoice));
        }
      }
    }
  }
  return lists.join(';');
}
