// A circuit given by the circuit_sparsity release (viz_data.pt's node lists, src/formats/vizData.ts) drawn on
// its own model: the network's graph with only the edges between kept nodes, and every neuron lit when a
// kept location maps onto it. Their hook names → graph layers (A = n_head·d_head may differ from d_model):
//   L.attn.act_in → the residual layer feeding bL.qkv ('embed' or b{L−1}.resid)
//   L.attn.q/k/v  → bL.qkv at 0 / A / 2A             L.attn.v → also bL.attn (head output channel c ← v c)
//   L.attn.resid_delta, L.mlp.act_in → bL.resid_mid    L.mlp.post_act → bL.mlp
//   L.mlp.resid_delta → bL.resid                       final_resid → the last residual layer
// Edges kept are the pairs viz.py draws: act_in→q/k/v, v→resid_delta (c_proj), act_in→post_act (c_fc),
// post_act→resid_delta (mlp c_proj).

import { parseVizLocation, type VizCircuit } from '../formats/vizData';
import { attentionWidth } from '../math/arch';
import type { LayerActivations, NetworkGraph } from '../model/graph';
import { graphFromGpt2 } from '../model/graphGpt2';
import type { Gpt2Weights } from '../model/weights';
import { masked } from './circuitScene';

interface Piece {
  layer: string;
  /** Offset in the graph layer. */
  at: number;
  list: number[];
}

export interface GivenCircuitScene {
  graph: NetworkGraph;
  /** 1 for a lit neuron, one "token". */
  activations: LayerActivations;
  /** Nonzero weights kept between kept nodes, and in the whole network (the four matrices per block). */
  edges: number;
  totalEdges: number;
  /** Channels of the model at the release's locations (8 per block and final_resid). */
  totalNodes: number;
}

const nonzeros = (w: Float32Array) => w.reduce((n, x) => n + (x !== 0 ? 1 : 0), 0);

export function givenCircuitScene(weights: Gpt2Weights, viz: VizCircuit, title: string): GivenCircuitScene {
  const { dModel: d, dMlp: m, nLayer, nHead } = weights.config;
  const a = attentionWidth(weights.config);
  // One flat keep array per block: act_in d | q a | k a | v a | attn delta d | mlp in d | post m | mlp delta d
  const per = 4 * d + 3 * a + m;
  const at = { act_in: 0, q: d, k: d + a, v: d + 2 * a, attn_delta: d + 3 * a, mlp_in: 2 * d + 3 * a };
  const post = 3 * d + 3 * a;
  const mlpDelta = 3 * d + 3 * a + m;
  const keep = new Float32Array(nLayer * per + d);
  const pieces: Piece[] = [];
  for (const [name, list] of viz.nodes) {
    const loc = parseVizLocation(name);
    if (!loc) continue; // checkVizCircuit ran when the file was opened
    const l = loc.block;
    const base = l * per;
    let offset: number;
    const add = (layer: string, shift = 0) => pieces.push({ layer, at: shift, list });
    if (loc.module === 'final') {
      offset = nLayer * per;
      add(`b${nLayer - 1}.resid`);
    } else if (loc.module === 'attn') {
      if (loc.kind === 'act_in') add(l === 0 ? 'embed' : `b${l - 1}.resid`);
      else if (loc.kind === 'resid_delta') add(`b${l}.resid_mid`);
      else add(`b${l}.qkv`, { q: 0, k: a, v: 2 * a }[loc.kind as 'q' | 'k' | 'v']);
      if (loc.kind === 'v') add(`b${l}.attn`);
      offset =
        base + (loc.kind === 'resid_delta' ? at.attn_delta : at[loc.kind as 'act_in' | 'q' | 'k' | 'v']);
    } else {
      if (loc.kind === 'act_in') add(`b${l}.resid_mid`);
      else if (loc.kind === 'post_act') add(`b${l}.mlp`);
      else add(`b${l}.resid`);
      offset = base + (loc.kind === 'act_in' ? at.mlp_in : loc.kind === 'post_act' ? post : mlpDelta);
    }
    for (const i of list) keep[offset + i] = 1;
  }
  let edges = 0;
  let totalEdges = 0;
  const blocks = weights.blocks.map((blk, l) => {
    const o = l * per;
    const out = {
      qkv: masked(blk.qkv, keep, o + at.act_in, o + at.q),
      attnProj: masked(blk.attnProj, keep, o + at.v, o + at.attn_delta),
      fc: masked(blk.fc, keep, o + at.mlp_in, o + post),
      fcProj: masked(blk.fcProj, keep, o + post, o + mlpDelta),
    };
    for (const lin of Object.values(out)) edges += nonzeros(lin.w);
    for (const lin of [blk.qkv, blk.attnProj, blk.fc, blk.fcProj]) totalEdges += nonzeros(lin.w);
    return out;
  });
  const graph = graphFromGpt2({ blocks }, { sparse: true, nHead, title });
  const byLayer: Record<string, Float32Array> = {};
  for (const layer of graph.layers) byLayer[layer.id] = new Float32Array(layer.size);
  for (const piece of pieces) {
    const lit = byLayer[piece.layer];
    if (lit) for (const i of piece.list) if (piece.at + i < lit.length) lit[piece.at + i] = 1;
  }
  return {
    graph,
    activations: { tokens: ['circuit'], byLayer },
    edges,
    totalEdges,
    totalNodes: nLayer * per + d,
  };
}
