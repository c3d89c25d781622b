// One linear layer's dispatch in a forward plan (GPT-2's and circuit_sparsity's): through the kernels
// chosen per shape (LinearKernels: tuned, cached or default, said in the dispatch's `run`) when the backend
// built them, else today's default kernels. Dense weights on the dense path, CSR on the sparse path.
import type { KernelRun, LinearKernels } from '../../gpu/autotune/linearKernels';
import type { Dispatch } from '../../gpu/kernels/dispatch';
import type { DenseMatmul } from '../../gpu/kernels/matmul';
import type { CsrBuffers, CsrSpmm } from '../../gpu/kernels/spmmCsr';

/** The kernels a plan's linears bind (forwardPlan.ts's Kernels holds them). */
export interface LinearKernelSet {
  dense: DenseMatmul;
  denseGelu: DenseMatmul;
  sparse: CsrSpmm;
  sparseGelu: CsrSpmm;
  /** The linears' kernels chosen per shape (tuned, cached or default); absent: the kernels above. */
  linear?: LinearKernels;
}

/** A layer's weights on the GPU; no bias: a bias-free layer (GPT-2's tied unembedding). */
export interface LinearWeights {
  dense?: GPUBuffer;
  csr?: CsrBuffers;
  bias?: GPUBuffer;
}

export function bindLinear(
  kernels: LinearKernelSet,
  lin: LinearWeights,
  io: { x: GPUBuffer; y: GPUBuffer },
  shape: { batch: number; n: number; k: number },
  activation: 'none' | 'gelu',
  label: string,
): Dispatch & { run?: KernelRun } {
  const { x, y } = io;
  const { bias } = lin;
  const chosen = kernels.linear;
  if (lin.dense) {
    const buffers = { x, w: lin.dense, bias, y };
    if (chosen) return chosen.bindDense(activation, buffers, shape);
    return (activation === 'gelu' ? kernels.denseGelu : kernels.dense).bind(buffers, shape);
  }
  if (!lin.csr) throw new Error(`${label}: no weights uploaded`);
  const buffers = { x, csr: lin.csr, bias, y };
  if (chosen) return chosen.bindCsr(activation, buffers, { batch: shape.batch });
  return (activation === 'gelu' ? kernels.sparseGelu : kernels.sparse).bind(buffers, { batch: shape.batch });
}
