// Neuron order within each displayed layer: barycentre sweeps over the displayed edges, so connected
// neurons line up and a sparse network's circuits read as bundles. Pure, like layout.ts.

import { forEachInRow, type NetworkGraph } from '../model/graph';
import type { Selection } from './layout';

/**
 * Reorders each layer's displayed neurons so that connected neurons line up: a few barycentre sweeps
 * (each neuron moves to the |w|-weighted mean position of its displayed neighbours, bottom-up then
 * top-down), the classic layered-graph heuristic for fewer crossings. Meant for the sparse graph, whose
 * circuits then read as bundles; a dense graph's neighbours are everyone, so it would change little.
 */
export function orderByBarycenter(graph: NetworkGraph, selection: Selection, sweeps = 4): Selection {
  const order = new Map([...selection].map(([id, ids]) => [id, Uint32Array.from(ids)]));
  const layers = graph.layers;
  const indexOf = new Map(layers.map((l, k) => [l.id, k]));
  // Every displayed edge between two different layers, filed under both of its layers as
  // (own neuron, other layer, other neuron, |w|), so a layer's sweep step reads only its own edges.
  const touching = layers.map(() => ({
    own: [] as number[],
    layer: [] as number[],
    other: [] as number[],
    w: [] as number[],
  }));
  const shown = layers.map((l) => {
    const ids = selection.get(l.id);
    if (!ids) return null;
    const mark = new Uint8Array(l.size);
    for (const n of ids) mark[n] = 1;
    return mark;
  });
  const file = (k: number, own: number, layer: number, other: number, w: number) => {
    const t = touching[k];
    t.own.push(own);
    t.layer.push(layer);
    t.other.push(other);
    t.w.push(w);
  };
  let total = 0;
  for (const e of graph.edges) {
    const a = indexOf.get(e.from);
    const b = indexOf.get(e.to);
    if (a === undefined || b === undefined || a === b) continue;
    const src = shown[a];
    const targets = selection.get(e.to);
    if (!src || !targets) continue;
    for (const j of targets) {
      forEachInRow(e.weights, j, (i, w) => {
        if (!src[i]) return;
        file(b, j, a, i, Math.abs(w));
        file(a, i, b, j, Math.abs(w));
        total++;
      });
    }
  }
  if (total === 0) return order;
  const lists = touching.map((t) => ({
    own: Int32Array.from(t.own),
    layer: Int32Array.from(t.layer),
    other: Int32Array.from(t.other),
    w: Float64Array.from(t.w),
  }));
  // Centred positions (layers of different widths compare), by neuron; only displayed neurons are read.
  const pos = layers.map((l) => new Float64Array(l.size));
  const place = (k: number) => {
    const ids = order.get(layers[k].id);
    if (!ids) return;
    for (let slot = 0; slot < ids.length; slot++) pos[k][ids[slot]] = slot - (ids.length - 1) / 2;
  };
  const ascending = layers.map((_, k) => k);
  for (const k of ascending) place(k);
  const descending = [...ascending].reverse();
  const sum = new Float64Array(Math.max(...layers.map((l) => l.size)));
  const weight = new Float64Array(sum.length);
  const key = new Float64Array(sum.length);
  for (let sweep = 0; sweep < sweeps; sweep++) {
    for (const k of sweep % 2 === 0 ? ascending : descending) {
      const current = order.get(layers[k].id);
      if (!current || current.length < 2) continue;
      const t = lists[k];
      for (const n of current) {
        sum[n] = 0;
        weight[n] = 0;
      }
      for (let m = 0; m < t.own.length; m++) {
        sum[t.own[m]] += t.w[m] * pos[t.layer[m]][t.other[m]];
        weight[t.own[m]] += t.w[m];
      }
      const own = pos[k];
      for (const n of current) key[n] = weight[n] ? sum[n] / weight[n] : own[n];
      order.set(
        layers[k].id,
        Uint32Array.from(current).sort((x, y) => key[x] - key[y] || own[x] - own[y]),
      );
      place(k);
    }
  }
  return order;
}
