// Edges of a circuit: nonzero weights between two kept nodes in c_attn (attn.in → q/k/v), the attention
// c_proj (v → attn.out: attention mixes positions but keeps channels, so v channel c feeds head output c),
// c_fc (mlp.in → mlp.neuron) and the MLP c_proj (mlp.neuron → mlp.out).

import type { Gpt2Weights, Linear } from '../model/weights';
import { nodeLayout, offsetOf } from './locations';

export interface EdgeCounts {
  total: number;
  /** 'h.0.attn.c_attn', 'h.0.attn.c_proj', 'h.0.mlp.c_fc', 'h.0.mlp.c_proj', … */
  byMatrix: Record<string, number>;
}

/** Nonzeros w[j, i] of a linear (out×in) with keep[outOffset + j] and keep[inOffset + i]. */
function keptNonzeros(lin: Linear, keep: ArrayLike<number>, inOffset: number, outOffset: number): number {
  const { w, n, k } = lin;
  let count = 0;
  for (let j = 0; j < n; j++) {
    if (!(keep[outOffset + j] > 0)) continue;
    const base = j * k;
    for (let i = 0; i < k; i++) if (w[base + i] !== 0 && keep[inOffset + i] > 0) count++;
  }
  return count;
}

/** Edge counts of the node set `keep` (flat 0/1 array in nodeLayout order); all ones = the whole network. */
export function countEdges(weights: Gpt2Weights, keep: ArrayLike<number>): EdgeCounts {
  const layout = nodeLayout(weights.config);
  if (keep.length !== layout.total)
    throw new Error(`countEdges: ${keep.length} flags for ${layout.total} nodes`);
  const d = weights.config.dModel;
  const byMatrix: Record<string, number> = {};
  let total = 0;
  weights.blocks.forEach((blk, l) => {
    const at = (kind: Parameters<typeof offsetOf>[2]) => offsetOf(layout, l, kind);
    const counts: [string, number][] = [
      [`h.${l}.attn.c_attn`, keptNonzeros(blk.qkv, keep, at('attn.in'), at('attn.q'))],
      [`h.${l}.attn.c_proj`, keptNonzeros(blk.attnProj, keep, at('attn.q') + 2 * d, at('attn.out'))],
      [`h.${l}.mlp.c_fc`, keptNonzeros(blk.fc, keep, at('mlp.in'), at('mlp.neuron'))],
      [`h.${l}.mlp.c_proj`, keptNonzeros(blk.fcProj, keep, at('mlp.neuron'), at('mlp.out'))],
    ];
    for (const [name, c] of counts) {
      byMatrix[name] = c;
      total += c;
    }
  });
  return { total, byMatrix };
}
