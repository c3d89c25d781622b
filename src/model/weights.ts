// Helpers over the GPT-2 weights (the types live in src/math/gpt2Types.ts, re-exported here): a block's
// linear layers by their timing op name, parameter counts and copies.

import type { Gpt2Block, Gpt2Config, Gpt2Weights, Linear } from '../math/gpt2Types';

export type {
  Gpt2Block,
  Gpt2Weights,
  LayerNormParams,
  Linear,
  MatrixSparsity,
  SparsityInfo,
} from '../math/gpt2Types';

/** Names of a block's linear layers, identical to the timing op names in LayerTiming. */
export type BlockLinearName = 'qkv' | 'attn.proj' | 'fc' | 'fc.proj';
const BLOCK_LINEARS: readonly BlockLinearName[] = ['qkv', 'attn.proj', 'fc', 'fc.proj'];

function blockLinear(block: Gpt2Block, name: BlockLinearName): Linear {
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
