// The GPT-2 parameter layout every layer reads: the CPU forward (src/math/transformer.ts), the WebGPU engine,
// the scene. Types only. Every linear layer follows the project contract: y (T×N) = x (T×K) · Wᵀ + b, W stored
// out×in (N×K) row-major. A sparse twin has the same structure with `csr` filled on every Linear; its `w`
// then holds the pruned dense copy, so the dense path on pruned weights is available for comparison.
// Presets, validation and helpers live in src/model (config.ts, weights.ts), which re-export these types.

import type { ArchOptions } from './arch';
import type { CsrMatrix } from './csr';

export interface Gpt2Config {
  nLayer: number;
  nHead: number;
  dModel: number;
  /** MLP hidden width (HF `n_inner`, 4·dModel by default). */
  dMlp: number;
  /** Maximum context (positions in wpe). */
  nCtx: number;
  vocabSize: number;
  layerNormEps: number;
  /** circuit_sparsity options (RMSNorm, sink, AbsTopK, …); absent for GPT-2. */
  arch?: ArchOptions;
}

export interface Linear {
  /** (n, k) row-major, out×in. */
  w: Float32Array;
  /** (n). */
  b: Float32Array;
  /** Output features N. */
  n: number;
  /** Input features K. */
  k: number;
  /** CSR of `w` over output rows; present on a sparse twin. */
  csr?: CsrMatrix;
}

export interface LayerNormParams {
  /** Gain (d). */
  g: Float32Array;
  /** Bias (d). */
  b: Float32Array;
}

export interface Gpt2Block {
  ln1: LayerNormParams;
  /** (3d × d): rows 0..d-1 produce q, d..2d-1 produce k, 2d..3d-1 produce v; head h uses rows h·hd..(h+1)·hd-1 of each. */
  qkv: Linear;
  /** (d × d). */
  attnProj: Linear;
  ln2: LayerNormParams;
  /** (dMlp × d), followed by GELU. */
  fc: Linear;
  /** (d × dMlp). */
  fcProj: Linear;
  /** circuit_sparsity: the per-head attention-sink logit (nHead). */
  sinkLogit?: Float32Array;
}

/** circuit_sparsity's unembedding: logits = x·wᵀ + bias (+ bigram[current token]). */
interface UnembedHead {
  /** (vocab, d): lm_head, or wte itself when tied. */
  w: Float32Array;
  /** CSR of `w` on a sparse twin. */
  csr?: CsrMatrix;
  /** final_logits_bias (vocab), zeros when the checkpoint has none. */
  bias: Float32Array;
  /** (vocab, vocab) bigram table, row = current token; null when disabled. */
  bigram: Float32Array | null;
}

/** How one matrix was pruned: the scene's inspector shows "kept / total". */
export interface MatrixSparsity {
  /** 'h.3.fc', 'wte', 'wpe'. */
  name: string;
  n: number;
  k: number;
  /** Nonzeros kept (= csr.nnz where a CSR exists). */
  kept: number;
  /** n·k. */
  total: number;
  /** k = ⌈density·N·K⌉ asked for by the global rule ('exact' mode: the nonzeros found). */
  target: number;
  /** Extra weights kept only to give every output neuron its minimum. */
  addedForMinimum: number;
}

export interface SparsityInfo {
  /** The density asked for, or 'exact' when existing zeros were taken as the pattern. */
  density: number | 'exact';
  minPerNeuron: number;
  includeEmbeddings: boolean;
  matrices: MatrixSparsity[];
}

export interface Gpt2Weights {
  config: Gpt2Config;
  /** Token embedding (vocab × d); tied: also the unembedding W (N = vocab, K = d). */
  wte: Float32Array;
  /** Position embedding (nCtx × d). */
  wpe: Float32Array;
  blocks: Gpt2Block[];
  lnf: LayerNormParams;
  /** CSR of wte for the sparse unembedding; present only when embeddings were sparsified. */
  wteCsr?: CsrMatrix;
  /** Present on a sparse twin. */
  sparsity?: SparsityInfo;
  /** circuit_sparsity models: their own unembedding (absent for GPT-2, which ties to wte). */
  head?: UnembedHead;
}
