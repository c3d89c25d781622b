// A checkpoint whose block weights are already mostly zero (a model trained weight-sparse) keeps its own
// sparsity: its sparse path is the exact CSR of the stored zeros, and it is pruned further only when the
// user explicitly asks for a lower density. Dense checkpoints and presets are pruned to the density asked
// for (or the default).
import type { Gpt2Weights } from './weights';

/** Below this fraction of nonzero block weights a checkpoint counts as stored-sparse. */
const STORED_SPARSE_MAX_DENSITY = 0.5;

/** Fraction of the block Linear weights (qkv, attn.proj, fc, fc.proj) that are nonzero. */
export function storedDensity(weights: Gpt2Weights): number {
  let nonzero = 0;
  let total = 0;
  for (const blk of weights.blocks) {
    for (const lin of [blk.qkv, blk.attnProj, blk.fc, blk.fcProj]) {
      for (let i = 0; i < lin.w.length; i++) if (lin.w[i] !== 0) nonzero++;
      total += lin.w.length;
    }
  }
  return total ? nonzero / total : 1;
}

export interface TwinDensity {
  /** What sparsifyModel gets: 'exact' keeps the stored zeros as the pattern. */
  density: number | 'exact';
  /** The stored density when the model is stored-sparse, else null. */
  stored: number | null;
  /** One line for the user when the choice differs from what a flag or control might suggest. */
  note?: string;
}

/**
 * The sparse twin's density: a stored-sparse model keeps its zeros unless `requested` (an explicit choice)
 * is lower than what it stores; others use `requested` or `fallback`.
 */
export function twinDensity(
  weights: Gpt2Weights,
  requested: number | undefined,
  fallback: number,
): TwinDensity {
  const stored = storedDensity(weights);
  if (stored > STORED_SPARSE_MAX_DENSITY) return { density: requested ?? fallback, stored: null };
  const pct = `${(100 * stored).toPrecision(3)} %`;
  if (requested !== undefined && requested < stored) {
    return {
      density: requested,
      stored,
      note: `the checkpoint stores ${pct} nonzero block weights; pruned further to density ${requested} as asked`,
    };
  }
  return {
    density: 'exact',
    stored,
    note: `the checkpoint stores ${pct} nonzero block weights: its sparse path is exactly those (no pruning)${
      requested !== undefined ? `; a density of ${requested} is not below that` : ''
    }`,
  };
}
