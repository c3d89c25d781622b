// Pure: a neuron named the way the labels name it — "block 5 MLP 1203", "layer 12 neuron 40",
// "b5.mlp 1203", "embedding residual 7" — found in a graph. The last number is the neuron's index; the
// words before it must all match the layer's group, name or unit (numbers exactly, words by prefix).

import type { GraphLayer, NetworkGraph } from '../model/graph';

export interface FoundNeuron {
  layerId: string;
  index: number;
}

const words = (text: string) =>
  text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);

function layerWords(layer: GraphLayer): string[] {
  const unit = layer.unitName ?? (layer.kind === 'mlp' ? 'mlp' : layer.kind);
  return [...words(layer.group), ...words(layer.name), ...words(unit), 'neuron'];
}

function matches(query: string[], layer: GraphLayer): boolean {
  const own = layerWords(layer);
  return query.every((q) =>
    /^\d+$/.test(q) ? own.includes(q) : own.some((w) => w.startsWith(q) || (q.length > 3 && q.startsWith(w))),
  );
}

/** The neuron `text` names in `graph`, or an error message that says what did not match. */
export function findNeuron(graph: NetworkGraph, text: string): FoundNeuron | { error: string } {
  const trimmed = text.trim();
  const m = /^(.*?)[\s#:]*(\d+)\s*$/.exec(trimmed);
  if (!m) return { error: `"${trimmed.slice(0, 40)}": end with the neuron's number, e.g. "block 0 MLP 12"` };
  const index = Number(m[2]);
  const head = m[1].trim();
  const byId = graph.layers.find((l) => l.id.toLowerCase() === head.toLowerCase());
  let candidates = byId ? [byId] : graph.layers.filter((l) => matches(words(head), l));
  if (candidates.length > 1) {
    // The tightest match: the layer with the fewest words the query did not name.
    const extra = (l: GraphLayer) => layerWords(l).length;
    const best = Math.min(...candidates.map(extra));
    candidates = candidates.filter((l) => extra(l) === best);
  }
  if (candidates.length === 0) return { error: `no layer matches "${head.slice(0, 40)}"` };
  const layer = candidates[0];
  if (index >= layer.size)
    return { error: `${layer.group} ${layer.name} has ${layer.size} neurons (0–${layer.size - 1})` };
  return { layerId: layer.id, index };
}
