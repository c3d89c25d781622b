// Pure: everything the inspector says about one neuron, read from the graph (never from the scene).

import {
  forEachInCol,
  forEachInRow,
  type LayerActivations,
  layerIndex,
  type NetworkGraph,
  neuronLabel,
} from '../model/graph';

export interface WeightRef {
  layerId: string;
  layerName: string;
  index: number;
  label: string;
  w: number;
}

export interface NeuronInfo {
  network: string;
  layerId: string;
  layerName: string;
  group: string;
  index: number;
  label: string;
  /** For the selected token, when activations were given. */
  activation: number | null;
  /** Stored nonzero weights into / out of this neuron, over every edge set. */
  fanIn: number;
  fanOut: number;
  /** The same neuron in the twin network (the dense one when inspecting the sparse). */
  twinFanIn: number | null;
  twinFanOut: number | null;
  /** How many weights a dense matrix has into / out of this neuron (the sizes of the layers it joins). */
  denseFanIn: number;
  denseFanOut: number;
  /** What one row of activations is: 'token' (language models) or 'image' (layered networks). */
  positionName: string;
  strongestIn: WeightRef[];
  strongestOut: WeightRef[];
}

function strongest(refs: WeightRef[], count: number): WeightRef[] {
  return refs.sort((a, b) => Math.abs(b.w) - Math.abs(a.w) || a.index - b.index).slice(0, count);
}

function fans(graph: NetworkGraph, layerId: string, index: number, collect: boolean) {
  const incoming: WeightRef[] = [];
  const outgoing: WeightRef[] = [];
  let fanIn = 0;
  let fanOut = 0;
  let denseFanIn = 0;
  let denseFanOut = 0;
  const layerById = new Map(graph.layers.map((l) => [l.id, l]));
  for (const e of graph.edges) {
    if (e.to === layerId) {
      denseFanIn += e.weights.cols;
      const src = layerById.get(e.from)!;
      forEachInRow(e.weights, index, (c, w) => {
        fanIn++;
        if (collect)
          incoming.push({ layerId: src.id, layerName: src.name, index: c, label: neuronLabel(src, c), w });
      });
    }
    if (e.from === layerId) {
      denseFanOut += e.weights.rows;
      const dst = layerById.get(e.to)!;
      forEachInCol(e.weights, index, (r, w) => {
        fanOut++;
        if (collect)
          outgoing.push({ layerId: dst.id, layerName: dst.name, index: r, label: neuronLabel(dst, r), w });
      });
    }
  }
  return { fanIn, fanOut, denseFanIn, denseFanOut, incoming, outgoing };
}

export function inspectNeuron(
  graph: NetworkGraph,
  layerId: string,
  index: number,
  options: { twin?: NetworkGraph; activations?: LayerActivations; token?: number; top?: number } = {},
): NeuronInfo {
  const layer = graph.layers[layerIndex(graph, layerId)];
  if (!Number.isInteger(index) || index < 0 || index >= layer.size) {
    throw new Error(`inspectNeuron: neuron ${index} is outside layer '${layerId}' (size ${layer.size})`);
  }
  const own = fans(graph, layerId, index, true);
  const twin = options.twin ? fans(options.twin, layerId, index, false) : null;
  let activation: number | null = null;
  const acts = options.activations?.byLayer[layerId];
  const token = options.token ?? 0;
  if (acts && acts.length >= (token + 1) * layer.size) activation = acts[token * layer.size + index];
  const top = options.top ?? 6;
  return {
    network: graph.title,
    layerId,
    layerName: layer.name,
    group: layer.group,
    index,
    label: neuronLabel(layer, index),
    activation,
    fanIn: own.fanIn,
    fanOut: own.fanOut,
    twinFanIn: twin?.fanIn ?? null,
    twinFanOut: twin?.fanOut ?? null,
    denseFanIn: own.denseFanIn,
    denseFanOut: own.denseFanOut,
    positionName: options.activations?.positionName ?? 'token',
    strongestIn: strongest(own.incoming, top),
    strongestOut: strongest(own.outgoing, top),
  };
}
