// Pure: the line segments between displayed neurons, one per stored weight whose both ends are on screen,
// coloured by sign and |w|. Output feeds one LineSegments per network (positions and colours, 2 vertices
// per edge), plus the endpoints so hover can find a neuron's edges without touching the matrices.

import { DenseWeights, type NetworkGraph } from '../model/graph';
import type { NetworkLayout } from './layout';

export type Rgb = [number, number, number];

export const POSITIVE: Rgb = [1.0, 0.58, 0.22]; // amber: w > 0
export const NEGATIVE: Rgb = [0.28, 0.62, 1.0]; // blue: w < 0

export interface EdgeBuffers {
  count: number;
  /** 6 floats per edge: x,y,z of the source then of the target. */
  positions: Float32Array;
  /** 6 floats per edge: rgb at both ends (premultiplied brightness, for additive blending). */
  colors: Float32Array;
  /** Global node ids (within the network's layout) of each edge's ends, and its weight. */
  from: Uint32Array;
  to: Uint32Array;
  weight: Float32Array;
}

export interface EdgeStyle {
  /** Overall brightness; see autoGain. */
  gain: number;
}

/**
 * Brightness per gap, so an additive tangle does not wash out. Into a layer whose neurons stand `columns`
 * across (an expanded layer wraps into rows one behind the other), E edges put about E / columns lines over
 * each node spacing of a scanline through the gap below it, and a line that runs flat (mean horizontal
 * over vertical span, `flatness` > 1) covers that many more pixels of each scanline. Each edge gets
 * ~LIGHT / (E / columns × flatness) of the light, capped so a sparse gap with few lines stays bright.
 * Returns one gain per layer of the layout: the gain of the edges into it.
 */
export function autoGain(
  edges: Pick<EdgeBuffers, 'count' | 'to' | 'positions'>,
  layout: NetworkLayout,
): Float32Array {
  const LIGHT = 12;
  const n = layout.layers.length;
  const into = new Float64Array(n);
  const dx = new Float64Array(n);
  const dy = new Float64Array(n);
  for (let e = 0; e < edges.count; e++) {
    const k = layout.nodeLayer[edges.to[e]];
    const p = edges.positions;
    into[k]++;
    dx[k] += Math.abs(p[6 * e + 3] - p[6 * e]);
    dy[k] += Math.abs(p[6 * e + 4] - p[6 * e + 1]);
  }
  return Float32Array.from(layout.layers, (placement, k) => {
    if (into[k] === 0) return 1;
    const rows = new Set<number>();
    for (let i = 0; i < placement.indices.length; i++)
      rows.add(layout.positions[3 * (placement.nodeOffset + i) + 2]);
    const columns = Math.max(1, Math.ceil(placement.indices.length / rows.size));
    const flatness = Math.max(1, dx[k] / Math.max(dy[k], 1e-9));
    return Math.min(0.45, Math.max(0.004, (LIGHT * columns) / (into[k] * flatness)));
  });
}

/** Visits every stored weight between displayed neurons: fn(edgeSetIndex, fromNode, toNode, w). */
function forEachDisplayedEdge(
  graph: NetworkGraph,
  layout: NetworkLayout,
  fn: (set: number, fromNode: number, toNode: number, w: number) => void,
): void {
  const byId = new Map(layout.layers.map((p) => [p.id, p]));
  graph.edges.forEach((edgeSet, set) => {
    const src = byId.get(edgeSet.from);
    const dst = byId.get(edgeSet.to);
    if (!src || !dst) return;
    const m = edgeSet.weights;
    for (let t = 0; t < dst.indices.length; t++) {
      const row = dst.indices[t];
      const toNode = dst.nodeOffset + t;
      if (m instanceof DenseWeights) {
        // Only the displayed columns: O(shown²), not O(shown × K).
        for (let s = 0; s < src.indices.length; s++) {
          const w = m.data[row * m.cols + src.indices[s]];
          if (w !== 0) fn(set, src.nodeOffset + s, toNode, w);
        }
      } else {
        for (let i = m.rowPtr[row]; i < m.rowPtr[row + 1]; i++) {
          const s = src.slot[m.colIdx[i]];
          if (s >= 0) fn(set, src.nodeOffset + s, toNode, m.values[i]);
        }
      }
    }
  });
}

/**
 * Indices of `weight` by descending |w|, ties by ascending index. A numeric sort of packed keys
 * (|w|'s float32 bits, which order like the values, above the complemented index, exact in a float64
 * below 2^53) instead of a comparator: several times faster on a rebuild's tens of thousands of edges.
 */
export function strongestFirst(weight: Float32Array): Uint32Array {
  const n = weight.length;
  const order = new Uint32Array(n);
  const span = 2 ** 21;
  if (n > span) {
    order.forEach((_, i) => {
      order[i] = i;
    });
    return order.sort((a, b) => Math.abs(weight[b]) - Math.abs(weight[a]) || a - b);
  }
  const magnitude = new Float32Array(n);
  for (let i = 0; i < n; i++) magnitude[i] = Math.abs(weight[i]);
  const bits = new Uint32Array(magnitude.buffer);
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = bits[i] * span + (span - 1 - i);
  keys.sort();
  for (let k = 0; k < n; k++) order[k] = span - 1 - (keys[n - 1 - k] % span);
  return order;
}

export function buildEdgeBuffers(graph: NetworkGraph, layout: NetworkLayout, style: EdgeStyle): EdgeBuffers {
  let count = 0;
  forEachDisplayedEdge(graph, layout, () => count++);
  const from = new Uint32Array(count);
  const to = new Uint32Array(count);
  const weight = new Float32Array(count);
  const setOf = new Uint16Array(count);
  const unsorted = {
    from: new Uint32Array(count),
    to: new Uint32Array(count),
    weight: new Float32Array(count),
  };
  const unsortedSet = new Uint16Array(count);
  let e = 0;
  forEachDisplayedEdge(graph, layout, (set, a, b, w) => {
    unsorted.from[e] = a;
    unsorted.to[e] = b;
    unsorted.weight[e] = w;
    unsortedSet[e++] = set;
  });
  // Strongest first, so a draw range of the first k edges is the k strongest: the budget drawn while
  // the camera moves (see NetworkView.setEdgeBudget).
  const order = strongestFirst(unsorted.weight);
  for (let i = 0; i < count; i++) {
    const k = order[i];
    from[i] = unsorted.from[k];
    to[i] = unsorted.to[k];
    weight[i] = unsorted.weight[k];
    setOf[i] = unsortedSet[k];
  }
  // Per edge set, |w| is scaled by the RMS of its displayed weights, so one set with large weights
  // (an embedding) does not drown the others.
  const sumSq = new Float64Array(graph.edges.length);
  const perSet = new Float64Array(graph.edges.length);
  for (let i = 0; i < count; i++) {
    sumSq[setOf[i]] += weight[i] * weight[i];
    perSet[setOf[i]]++;
  }
  const scale = Array.from(sumSq, (s, k) => (perSet[k] ? 2 * Math.sqrt(s / perSet[k]) : 1));
  const positions = new Float32Array(6 * count);
  const colors = new Float32Array(6 * count);
  const p = layout.positions;
  for (let i = 0; i < count; i++) {
    // Plain stores, no temporary arrays: this loop runs over every displayed edge on each rebuild.
    const a = 3 * from[i];
    const b = 3 * to[i];
    const o = 6 * i;
    positions[o] = p[a];
    positions[o + 1] = p[a + 1];
    positions[o + 2] = p[a + 2];
    positions[o + 3] = p[b];
    positions[o + 4] = p[b + 1];
    positions[o + 5] = p[b + 2];
    const w = weight[i];
    const level = style.gain * Math.min(1, (Math.abs(w) / scale[setOf[i]]) ** 1.3);
    const rgb = w >= 0 ? POSITIVE : NEGATIVE;
    colors[o] = colors[o + 3] = rgb[0] * level;
    colors[o + 1] = colors[o + 4] = rgb[1] * level;
    colors[o + 2] = colors[o + 5] = rgb[2] * level;
  }
  return { count, positions, colors, from, to, weight };
}

/** Indices of the edges that start or end at `node`. */
export function edgesTouching(buffers: EdgeBuffers, node: number): Uint32Array {
  const hits: number[] = [];
  for (let i = 0; i < buffers.count; i++)
    if (buffers.from[i] === node || buffers.to[i] === node) hits.push(i);
  return Uint32Array.from(hits);
}
