// GPT-2 weights as plain typed arrays, shared by the CPU forward pass, the WebGPU engine and the scene.
// Every linear layer follows the project contract: y (T×N) = x (T×K) · Wᵀ + b, W stored out×in (N×K)
// row-major. A sparse twin has the same structure with `csr` filled on every Linear; its `w` then holds
// the pruned dense copy, so the dense path on pruned weights is available for comparison.

import type { CsrMatrix } from '../math/csr';
import type { Gpt2Config } from './config';

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
export interface UnembedHead {
  /** (vocab, d): lm_head, or wte itself when tied. */
  w: Float32Array;
  /** CSR of `w` on a sparse twin. */
  csr?: CsrMatrix;
  /** final_logits_bias (vocab), zeros when the checkpoint has none. */
  bias: Float32Array;
  /** (vocab, vocab) bigram table, row = current token; null when disabled. */
  bigram: Float32Array | null;
}

/** Names of a block's linear layers, identical to the timing op names in LayerTiming. */
export type BlockLinearName = 'qkv' | 'attn.proj' | 'fc' | 'fc.proj';
export const BLOCK_LINEARS: readonly BlockLinearName[] = ['qkv', 'attn.proj', 'fc', 'fc.proj'];

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

export function blockLinear(block: Gpt2Block, name: BlockLinearName): Linear {
  switch (name) {
    case 'qkv':
      return block.qkv;
    case 'attn.proj':
      return block.attnProj;
    case 'fc':
      return block.fc;
    case 'fc.proj':
      return block.fcProj;
  }
}

/** Every block linear with its qualified name ('h.{i}.{op}'), in forward order. */
export function* linearsOf(weights: Gpt2Weights): Generator<[string, Linear, number, BlockLinearName]> {
  for (let i = 0; i < weights.blocks.length; i++) {
    for (const op of BLOCK_LINEARS) yield [`h.${i}.${op}`, blockLinear(weights.blocks[i], op), i, op];
  }
}

/** True when every block linear carries a CSR (the sparse path can run). */
export function isSparse(weights: Gpt2Weights): boolean {
  for (const [, lin] of linearsOf(weights)) if (!lin.csr) return false;
  return true;
}

export interface ParamCounts {
  embeddings: number; // wte + wpe
  perBlock: number;
  blocks: number;
  finalNorm: number;
  /** Unique parameters (lm_head tied to wte, counted once): 124,439,808 for gpt2-small. */
  total: number;
}

export function countParams(config: Gpt2Config): ParamCounts {
  const { dModel: d, dMlp: m, nLayer, nCtx, vocabSize } = config;
  const embeddings = vocabSize * d + nCtx * d;
  const perBlock = 2 * d + (3 * d * d + 3 * d) + (d * d + d) + 2 * d + (m * d + m) + (d * m + d);
  const finalNorm = 2 * d;
  const blocks = nLayer * perBlock;
  return { embeddings, perBlock, blocks, finalNorm, total: embeddings + blocks + finalNorm };
}

export interface WeightBytes {
  /** Dense f32 bytes of all parameters. */
  dense: number;
  /** Bytes of the CSR matrices (rowPtr + colIdx + values, 4 bytes each) plus every dense remainder. */
  sparse: number;
}

/** Bytes the dense path and (if present) the sparse path read. */
export function weightBytes(weights: Gpt2Weights): WeightBytes {
  const dense = countParams(weights.config).total * 4;
  let sparse = dense;
  for (const [, lin] of linearsOf(weights)) {
    if (lin.csr) sparse += 4 * (lin.csr.rows + 1 + 2 * lin.csr.nnz) - 4 * lin.n * lin.k;
  }
  if (weights.wteCsr) {
    const c = weights.wteCsr;
    sparse += 4 * (c.rows + 1 + 2 * c.nnz) - 4 * c.rows * c.cols;
  }
  return { dense, sparse };
}
