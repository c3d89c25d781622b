// Pure layout: which neurons are on screen (selectNeurons) and where (layoutNetwork). No three.js here,
// so tests call it directly. Both networks get the same selection and the same layout, shifted in x.
//
// Axes: layers stack along +y (input at the bottom), a layer's neurons run along x in rows of at most
// `rowCap`, extra rows of an expanded layer go back along -z.

import {
  forEachInCol,
  forEachInRow,
  type LayerActivations,
  layerIndex,
  type NetworkGraph,
} from '../model/graph';

type Vec3 = [number, number, number];

/** Layer id → displayed neuron indices, in display order (selectNeurons: ascending). */
export type Selection = Map<string, Uint32Array>;

export interface SelectOptions {
  /** Neurons shown per large layer; layers this small or smaller show all. */
  perLayer: number;
  /** If given: the most active (max |a| over tokens) neurons; else the most connected. */
  activations?: LayerActivations;
  /** Layers shown in full, up to `maxExpanded` neurons. */
  expanded?: ReadonlySet<string>;
  maxExpanded?: number;
  /** Neurons always shown (an inspector jump to a neuron off screen pins it). */
  pinned?: ReadonlyMap<string, readonly number[]>;
}

const DEFAULT_MAX_EXPANDED = 1024;

/**
 * Higher is more interesting. With activations: max |a| over tokens. Without: nonzeros in + out (fan-in +
 * fan-out), ties (every neuron of a dense matrix has the same degree) broken by Σ|w|.
 */
export function neuronScores(
  graph: NetworkGraph,
  layerId: string,
  activations?: LayerActivations,
): Float64Array {
  const size = graph.layers[layerIndex(graph, layerId)].size;
  const score = new Float64Array(size);
  const acts = activations?.byLayer[layerId];
  if (acts && acts.length >= size) {
    for (let i = 0; i < acts.length; i++) {
      const n = i % size;
      score[n] = Math.max(score[n], Math.abs(acts[i]));
    }
    return score;
  }
  const strength = new Float64Array(size);
  for (const e of graph.edges) {
    if (e.to === layerId) {
      for (let r = 0; r < size; r++) {
        forEachInRow(e.weights, r, (_c, v) => {
          score[r]++;
          strength[r] += Math.abs(v);
        });
      }
    }
    if (e.from === layerId) {
      for (let c = 0; c < size; c++) {
        forEachInCol(e.weights, c, (_r, v) => {
          score[c]++;
          strength[c] += Math.abs(v);
        });
      }
    }
  }
  let maxStrength = 0;
  for (let i = 0; i < size; i++) maxStrength = Math.max(maxStrength, strength[i]);
  if (maxStrength > 0) for (let i = 0; i < size; i++) score[i] += (0.999 * strength[i]) / maxStrength;
  return score;
}

/** The `count` best-scoring indices (ties to the lower index), returned ascending. */
function topIndices(score: ArrayLike<number>, count: number): Uint32Array {
  const order = Array.from({ length: score.length }, (_, i) => i);
  order.sort((a, b) => score[b] - score[a] || a - b);
  return Uint32Array.from(order.slice(0, count)).sort();
}

export function selectNeurons(graph: NetworkGraph, options: SelectOptions): Selection {
  const selection: Selection = new Map();
  const maxExpanded = options.maxExpanded ?? DEFAULT_MAX_EXPANDED;
  for (const layer of graph.layers) {
    const limit = options.expanded?.has(layer.id) ? maxExpanded : options.perLayer;
    const pinned = options.pinned?.get(layer.id) ?? [];
    let indices: Uint32Array;
    if (layer.size <= limit) {
      indices = Uint32Array.from({ length: layer.size }, (_, i) => i);
    } else {
      const score = neuronScores(graph, layer.id, options.activations);
      for (const p of pinned) if (p < layer.size) score[p] = Number.POSITIVE_INFINITY;
      indices = topIndices(score, Math.max(limit, 0));
    }
    selection.set(layer.id, indices);
  }
  return selection;
}

export interface LayoutOptions {
  selection: Selection;
  /** x of the network's centre line. */
  offsetX: number;
  /** Distance between neighbouring neurons in a row. */
  spacing?: number;
  /** Most neurons per row; an expanded layer wraps into rows going back in z. */
  rowCap?: number;
  /** Total height the layer stack is spread over (gap between layers is clamped to [minGap, maxGap]). */
  height?: number;
  minGap?: number;
  maxGap?: number;
}

interface LayerPlacement {
  id: string;
  layerIndex: number;
  /** Displayed neuron indices in display order; node i of this layer is neuron indices[i]. */
  indices: Uint32Array;
  /** neuron index → position in `indices`, -1 when not displayed; length = layer size. */
  slot: Int32Array;
  /** Global node id of indices[0] within the network. */
  nodeOffset: number;
  y: number;
  width: number;
  depth: number;
  /** Points just outside the layer's ends, for labels and timing overlays. */
  left: Vec3;
  right: Vec3;
}

export interface NetworkLayout {
  offsetX: number;
  layers: LayerPlacement[];
  /** 3 floats per node, in global node order (layer by layer). */
  positions: Float32Array;
  /** Layer index and neuron index of every node. */
  nodeLayer: Uint16Array;
  nodeNeuron: Uint32Array;
  count: number;
  bounds: { min: Vec3; max: Vec3 };
}

export function layoutNetwork(graph: NetworkGraph, options: LayoutOptions): NetworkLayout {
  const spacing = options.spacing ?? 0.15;
  const rowCap = options.rowCap ?? 64;
  const gapCount = Math.max(graph.layers.length - 1, 1);
  const gap = Math.min(
    Math.max((options.height ?? 20) / gapCount, options.minGap ?? 0.35),
    options.maxGap ?? 0.95,
  );
  const x0 = options.offsetX;
  const y0 = -(gap * (graph.layers.length - 1)) / 2;
  const indicesOf = graph.layers.map((l) => {
    const ids = options.selection.get(l.id);
    if (!ids) throw new Error(`layoutNetwork: the selection has no entry for layer '${l.id}'`);
    return ids;
  });
  const count = indicesOf.reduce((s, ids) => s + ids.length, 0);
  const positions = new Float32Array(3 * count);
  const nodeLayer = new Uint16Array(count);
  const nodeNeuron = new Uint32Array(count);
  const min: Vec3 = [x0, y0, 0];
  const max: Vec3 = [x0, y0, 0];
  const layers: LayerPlacement[] = [];
  let node = 0;
  graph.layers.forEach((layer, li) => {
    const indices = indicesOf[li];
    const n = indices.length;
    const perRow = Math.max(1, Math.min(n, rowCap));
    const rows = Math.ceil(n / perRow);
    const width = (perRow - 1) * spacing;
    const depth = (rows - 1) * spacing * 1.5;
    const y = y0 + li * gap;
    const slot = new Int32Array(layer.size).fill(-1);
    const nodeOffset = node;
    for (let i = 0; i < n; i++, node++) {
      const row = Math.floor(i / perRow);
      const col = i % perRow;
      const inRow = row === rows - 1 ? n - row * perRow : perRow; // last row centred
      positions[3 * node] = x0 + (col - (inRow - 1) / 2) * spacing;
      positions[3 * node + 1] = y;
      positions[3 * node + 2] = depth / 2 - row * spacing * 1.5;
      nodeLayer[node] = li;
      nodeNeuron[node] = indices[i];
      slot[indices[i]] = i;
    }
    const half = Math.max(width / 2, spacing);
    layers.push({
      id: layer.id,
      layerIndex: li,
      indices,
      slot,
      nodeOffset,
      y,
      width,
      depth,
      left: [x0 - half - 0.3, y, 0],
      right: [x0 + half + 0.3, y, 0],
    });
    min[0] = Math.min(min[0], x0 - half);
    max[0] = Math.max(max[0], x0 + half);
    min[2] = Math.min(min[2], -depth / 2);
    max[2] = Math.max(max[2], depth / 2);
    max[1] = y;
  });
  return { offsetX: x0, layers, positions, nodeLayer, nodeNeuron, count, bounds: { min, max } };
}

/** Global node id of `neuron` in layer `li`, or -1 when it is not displayed. */
export function nodeId(layout: NetworkLayout, li: number, neuron: number): number {
  const placement = layout.layers[li];
  const s = neuron < placement.slot.length ? placement.slot[neuron] : -1;
  return s < 0 ? -1 : placement.nodeOffset + s;
}
