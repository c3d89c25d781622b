// A circuit drawn in the scene: the network's graph (graphFromGpt2, no token/logit layers) with every edge
// outside the circuit removed, every neuron shown (expanded) and lit by whether it is in the circuit, so the
// circuit is bright and the rest of the network a ghost. Circuit locations → graph layers:
//   attn.in of block l   → the residual layer feeding b{l}.qkv ('embed' or b{l−1}.resid)
//   attn.q/k/v           → b{l}.qkv (3d, same order)      attn.v → also b{l}.attn (head output channel c ← v c)
//   attn.out, mlp.in     → b{l}.resid_mid                  mlp.neuron → b{l}.mlp
//   mlp.out              → b{l}.resid                      ln_f → the last residual layer
// A graph neuron is lit when any location mapped onto it is kept; the edge sets are masked exactly by the
// circuit's edge definition, so the scene's edge count equals the circuit file's.

import type { LoadedCircuit } from '../circuit/circuitJson';
import { nodeLayout, offsetOf } from '../circuit/locations';
import type { LayerActivations, NetworkGraph } from '../model/graph';
import { graphFromGpt2 } from '../model/graphGpt2';
import type { Gpt2Weights, Linear } from '../model/weights';

/** Graph layer id → (location offset, size, graph index offset) pieces mapped onto it. */
function circuitLayerMap(weights: Gpt2Weights): Map<string, { offset: number; size: number; at: number }[]> {
  const { dModel: d, dMlp: m, nLayer } = weights.config;
  const layout = nodeLayoutOf(weights);
  const map = new Map<string, { offset: number; size: number; at: number }[]>();
  const add = (id: string, offset: number, size: number, at = 0) => {
    map.set(id, [...(map.get(id) ?? []), { offset, size, at }]);
  };
  for (let l = 0; l < nLayer; l++) {
    const o = (kind: Parameters<typeof offsetOf>[2]) => offsetOf(layout, l, kind);
    add(l === 0 ? 'embed' : `b${l - 1}.resid`, o('attn.in'), d);
    add(`b${l}.qkv`, o('attn.q'), 3 * d);
    add(`b${l}.attn`, o('attn.v'), d);
    add(`b${l}.resid_mid`, o('attn.out'), d);
    add(`b${l}.resid_mid`, o('mlp.in'), d);
    add(`b${l}.mlp`, o('mlp.neuron'), m);
    add(`b${l}.resid`, o('mlp.out'), d);
  }
  add(`b${nLayer - 1}.resid`, offsetOf(layout, -1, 'ln_f'), d);
  return map;
}

function nodeLayoutOf(weights: Gpt2Weights) {
  return nodeLayout(weights.config);
}

/** w with w[j, i] zeroed unless keep[outOffset + j] and keep[inOffset + i]. */
export function masked(lin: Linear, keep: Float32Array, inOffset: number, outOffset: number): Linear {
  const w = new Float32Array(lin.w.length);
  for (let j = 0; j < lin.n; j++) {
    if (!(keep[outOffset + j] > 0)) continue;
    for (let i = 0; i < lin.k; i++) if (keep[inOffset + i] > 0) w[j * lin.k + i] = lin.w[j * lin.k + i];
  }
  return { w, b: lin.b, n: lin.n, k: lin.k };
}

/** The network's graph with only the circuit's edges. */
export function circuitGraph(weights: Gpt2Weights, circuit: LoadedCircuit, title: string): NetworkGraph {
  const layout = nodeLayoutOf(weights);
  const { keep } = circuit;
  const d = weights.config.dModel;
  const blocks = weights.blocks.map((blk, l) => {
    const o = (kind: Parameters<typeof offsetOf>[2]) => offsetOf(layout, l, kind);
    return {
      qkv: masked(blk.qkv, keep, o('attn.in'), o('attn.q')),
      attnProj: masked(blk.attnProj, keep, o('attn.q') + 2 * d, o('attn.out')),
      fc: masked(blk.fc, keep, o('mlp.in'), o('mlp.neuron')),
      fcProj: masked(blk.fcProj, keep, o('mlp.neuron'), o('mlp.out')),
    };
  });
  return graphFromGpt2({ blocks }, { sparse: true, nHead: weights.config.nHead, title });
}

/** 1 for a neuron in the circuit, 0 elsewhere, per graph layer (one "token"), for the node colours. */
export function circuitActivations(
  weights: Gpt2Weights,
  circuit: LoadedCircuit,
  graph: NetworkGraph,
): LayerActivations {
  const map = circuitLayerMap(weights);
  const byLayer: Record<string, Float32Array> = {};
  for (const layer of graph.layers) {
    const lit = new Float32Array(layer.size);
    for (const piece of map.get(layer.id) ?? [])
      for (let i = 0; i < piece.size; i++) if (circuit.keep[piece.offset + i] > 0) lit[piece.at + i] = 1;
    byLayer[layer.id] = lit;
  }
  return { tokens: ['circuit'], byLayer };
}

/** Kept circuit locations behind graph neuron (layerId, index): flat node indices and their names. */
export function circuitNodesAt(
  weights: Gpt2Weights,
  circuit: LoadedCircuit,
  layerId: string,
  index: number,
): { flat: number; name: string }[] {
  const out: { flat: number; name: string }[] = [];
  for (const piece of circuitLayerMap(weights).get(layerId) ?? []) {
    const i = index - piece.at;
    if (i < 0 || i >= piece.size || !(circuit.keep[piece.offset + i] > 0)) continue;
    const loc = circuit.layout.locations.find(
      (l) => piece.offset + i >= l.offset && piece.offset + i < l.offset + l.size,
    )!;
    out.push({ flat: piece.offset + i, name: `${loc.name}[${piece.offset + i - loc.offset}]` });
  }
  return out;
}
