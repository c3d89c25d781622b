// Which linear-layer shapes a model pair runs, for the autotuner (what to tune) and for LinearKernels
// (what to compile): every block's qkv, attn.proj, fc and fc.proj (GPT-2's fc with its GELU epilogue; a
// circuit_sparsity model's activation is a pass of its own), dense on the dense path and CSR (with its
// nonzeros per row) on the sparse path, then the unembedding (GPT-2: the tied wte, or its CSR where the
// sparse twin pruned it, no bias; circuit_sparsity: lm_head with final_logits_bias, CSR on the sparse path).
// At the batches a forward uses (1 for decoding, and a prompt's length: tuned at `batches`, each choice
// serving batches within 8× of where it was tuned). The unembedding is tuned after every block linear: on a
// CPU-emulated adapter GPT-2-small's (50257 × 768) is costly to time, and the budget reaches it last.
import type { ActivationName } from '../../contracts';
import type { CsrShape } from '../../gpu/autotune/candidates';
import type { LinearUse } from '../../gpu/autotune/linearKernels';
import type { TuneRequest } from '../../gpu/autotune/tuner';
import type { DenseShape } from '../../gpu/kernels/matmul';
import { linearsOf } from '../../model/weights';
import type { ModelPair } from '../backend';

/** Batches tuned by default, first first: a prompt (64, which serves 8–512 tokens) and decoding (1). */
const DEFAULT_TUNED_BATCHES: readonly number[] = [64, 1];

/** Every block linear of both paths, as the plans bind them. */
function blockUses(models: ModelPair): LinearUse[] {
  const uses: LinearUse[] = [];
  for (const weights of [models.dense, models.sparse]) {
    for (const [, lin, , op] of linearsOf(weights)) {
      const activation: ActivationName = op === 'fc' && !weights.config.arch ? 'gelu' : 'none';
      const nnzPerRow =
        lin.csr && weights === models.sparse ? lin.csr.nnz / Math.max(1, lin.csr.rows) : undefined;
      uses.push({ n: lin.n, k: lin.k, activation, bias: true, nnzPerRow });
    }
  }
  return uses;
}

/** The unembedding of both paths, as the plans bind it (forwardPlan.ts, cspPlan.ts). */
function unembedUses(models: ModelPair): LinearUse[] {
  const { vocabSize: n, dModel: k } = models.dense.config;
  const dense = (bias: boolean): LinearUse => ({ n, k, activation: 'none', bias });
  const csr = (bias: boolean, m: { rows: number; nnz: number }): LinearUse => ({
    ...dense(bias),
    nnzPerRow: m.nnz / Math.max(1, m.rows),
  });
  const head = models.sparse.head;
  if (models.dense.head && head) return [dense(true), head.csr ? csr(true, head.csr) : dense(true)];
  const wteCsr = models.sparse.wteCsr;
  return [dense(false), wteCsr ? csr(false, wteCsr) : dense(false)];
}

/** Every linear layer of both paths, as LinearKernels binds them. */
export function linearUses(models: ModelPair): LinearUse[] {
  return [...blockUses(models), ...unembedUses(models)];
}

/** The uses' distinct shapes at each batch, the first batch first (the tuner merges CSR rows per bucket). */
function shapesOf(uses: LinearUse[], batches: readonly number[]): { dense: DenseShape[]; csr: CsrShape[] } {
  const dense: DenseShape[] = [];
  const csr: CsrShape[] = [];
  for (const batch of batches) {
    for (const use of uses) {
      if (use.nnzPerRow === undefined) dense.push({ batch, n: use.n, k: use.k });
      else csr.push({ batch, n: use.n, k: use.k, nnzPerRow: use.nnzPerRow });
    }
  }
  return { dense, csr };
}

/** The shapes to tune: the block linears at each batch (the first batch's first), then the unembedding. */
export function linearTuneRequest(
  models: ModelPair,
  batches: readonly number[] = DEFAULT_TUNED_BATCHES,
): TuneRequest {
  return { ...shapesOf(blockUses(models), batches), later: shapesOf(unembedUses(models), batches) };
}
