// Which linear-layer shapes a GPT-2 model pair runs, for the autotuner (what to tune) and for LinearKernels
// (what to compile): every block's qkv, attn.proj, fc (GELU epilogue) and fc.proj, dense on the dense path
// and CSR (with its nonzeros per row) on the sparse path, at the batches a forward uses (1 for decoding,
// and a prompt's length: tuned at `batches`, each choice serving batches within 8× of where it was tuned).
import type { ActivationName } from '../../contracts';
import type { CsrShape } from '../../gpu/autotune/candidates';
import type { LinearUse } from '../../gpu/autotune/linearKernels';
import type { TuneRequest } from '../../gpu/autotune/tuner';
import type { DenseShape } from '../../gpu/kernels/matmul';
import { linearsOf } from '../../model/weights';
import type { ModelPair } from '../backend';

/** Batches tuned by default, first first: a prompt (64, which serves 8–512 tokens) and decoding (1). */
const DEFAULT_TUNED_BATCHES: readonly number[] = [64, 1];

/** Every linear layer of both paths, as LinearKernels binds them. */
export function linearUses(models: ModelPair): LinearUse[] {
  const uses: LinearUse[] = [];
  for (const weights of [models.dense, models.sparse]) {
    for (const [, lin, , op] of linearsOf(weights)) {
      const activation: ActivationName = op === 'fc' ? 'gelu' : 'none';
      const nnzPerRow =
        lin.csr && weights === models.sparse ? lin.csr.nnz / Math.max(1, lin.csr.rows) : undefined;
      uses.push({ n: lin.n, k: lin.k, activation, bias: true, nnzPerRow });
    }
  }
  return uses;
}

/** The shapes to tune: each distinct layer shape at each batch (the tuner merges CSR rows per bucket). */
export function linearTuneRequest(
  models: ModelPair,
  batches: readonly number[] = DEFAULT_TUNED_BATCHES,
): TuneRequest {
  const dense: DenseShape[] = [];
  const csr: CsrShape[] = [];
  // Batches outermost: the first batch's shapes are tuned first (the budget may not reach the rest).
  for (const batch of batches) {
    for (const use of linearUses(models)) {
      if (use.nnzPerRow === undefined) dense.push({ batch, n: use.n, k: use.k });
      else csr.push({ batch, n: use.n, k: use.k, nnzPerRow: use.nnzPerRow });
    }
  }
  return { dense, csr };
}
