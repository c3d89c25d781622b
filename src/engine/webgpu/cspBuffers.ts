// The GPU buffers a circuit_sparsity model needs beyond GPT-2's: its unembedding (lm_head dense, or CSR on
// the sparse path, with final_logits_bias as the bias), the bigram table, and per-block sink logits
// (NO_SINK-filled when the model has none, so one attention kernel serves both).

import type { WeightPath } from '../../contracts';
import { NO_SINK } from '../../gpu/kernels/attentionSink';
import type { CsrBuffers, CsrSpmm } from '../../gpu/kernels/spmmCsr';
import type { Gpt2Weights } from '../../model/weights';

export interface GpuCspExtras {
  /** (vocab, d) unembedding: `dense` on the dense path, `csr` on the sparse path; `bias` = final_logits_bias. */
  head: { dense?: GPUBuffer; csr?: CsrBuffers; bias: GPUBuffer };
  /** (vocab, vocab), when the model has a bigram table. */
  bigram?: GPUBuffer;
  /** Per block: (nHead) sink logits. */
  sinks: GPUBuffer[];
}

/** Bytes of the largest buffer the extras need (the bigram table or lm_head), for the fit check. */
export function largestCspBuffer(weights: Gpt2Weights): { bytes: number; name: string } | null {
  const head = weights.head;
  if (!head) return null;
  const { vocabSize: V, dModel: d } = weights.config;
  return head.bigram
    ? { bytes: 4 * V * Math.max(V, d), name: V >= d ? 'the bigram table' : 'lm_head' }
    : { bytes: 4 * V * d, name: 'lm_head' };
}

export function uploadCspExtras(
  device: GPUDevice,
  spmm: CsrSpmm,
  weights: Gpt2Weights,
  path: WeightPath,
  prefix: string,
  up: (label: string, data: Float32Array) => GPUBuffer,
  own: (resource: { dispose(): void }, bytes: number) => void,
): GpuCspExtras {
  const head = weights.head;
  if (!head) throw new Error('uploadCspExtras: the model has no circuit_sparsity head');
  const out: GpuCspExtras = { head: { bias: up(`${prefix}.head.bias`, head.bias) }, sinks: [] };
  if (path === 'dense') {
    out.head.dense = up(`${prefix}.head.w`, head.w);
  } else {
    if (!head.csr) throw new Error(`${prefix}: the sparse path needs the unembedding as CSR`);
    out.head.csr = spmm.upload(device, head.csr, `${prefix}.head.csr`);
    own(out.head.csr, 4 * (head.csr.rows + 1) + 8 * head.csr.nnz);
  }
  if (head.bigram) out.bigram = up(`${prefix}.bigram`, head.bigram);
  const { nHead } = weights.config;
  weights.blocks.forEach((blk, i) => {
    out.sinks.push(up(`${prefix}.h${i}.sink`, blk.sinkLogit ?? new Float32Array(nHead).fill(NO_SINK)));
  });
  return out;
}
