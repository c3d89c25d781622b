// A layered sparse network (src/model/dnn.ts, e.g. the Graph Challenge DNN) as the scene's plain data:
// an input layer (K₀ pixels) and one layer per weight matrix, every edge a real nonzero weight.
//   graph layers: 'input' (K₀), 'l1' … 'lL' (Nₗ); edge set l: 'l{l}' (or 'input') → 'l{l+1}', (Nₗ × Kₗ) out×in.
// The dense twin holds the SAME weights stored densely (zeros included): what the dense kernel multiplies.
// Its drawn edges are therefore the sparse network's (a zero weight connects nothing); the two sides differ
// in storage and in time, which is the comparison the Graph Challenge makes.

import type { LayerTiming, TimerSourceName, WeightPath } from '../contracts';
import type { CsrMatrix } from '../math/csr';
import type { SparseDnn } from './dnn';
import {
  DenseWeights,
  type GraphEdgeSet,
  type GraphLayer,
  type LayerActivations,
  type NetworkGraph,
  validateGraph,
} from './graph';

/** The LayerTiming op of one DNN layer; graph layer 'l{l+1}' shows the row with `layer: l` (0-based). */
const DNN_TIMING_OP = 'dnn';

export const DNN_INPUT_ID = 'input';

/** Graph layer id of weight layer l (0-based): 'l1' … 'l30'. */
export function dnnLayerId(l: number): string {
  return `l${l + 1}`;
}

export interface DnnGraphOptions {
  /** true: each edge set is the layer's CSR; false: the same weights as a dense (Nₗ × Kₗ) copy. */
  sparse: boolean;
  title?: string;
  /**
   * For the dense twin: the layers' dense (Nₗ × Kₗ) row-major copies, if the caller made them already
   * (the app makes them one per task so that no task blocks the page); else they are made here.
   */
  dense?: readonly Float32Array[];
}

/**
 * Memory: the dense twin copies every layer (Nₗ·Kₗ·4 bytes; 30 × 1024² × 4 = 126 MB for the Graph
 * Challenge network, ≈0.3–0.5 s to allocate and fill). The scene reads any row or column of any layer
 * (inspector, expanded layers) straight from DenseWeights.data, so the copy is made once per load.
 */
export function graphFromDnn(dnn: SparseDnn, options: DnnGraphOptions): NetworkGraph {
  if (dnn.layers.length === 0) throw new Error('graphFromDnn: the network has no layers');
  const { sparse } = options;
  const last = dnn.layers.length - 1;
  const layers: GraphLayer[] = [
    {
      id: DNN_INPUT_ID,
      name: 'pixels',
      group: 'input',
      size: dnn.layers[0].cols,
      kind: 'input',
      unitName: 'pixel',
    },
  ];
  const edges: GraphEdgeSet[] = [];
  dnn.layers.forEach((w: CsrMatrix, l) => {
    layers.push({
      id: dnnLayerId(l),
      name: `layer ${l + 1}`,
      group: l === last ? 'output' : 'hidden',
      size: w.rows,
      kind: l === last ? 'output' : 'mlp',
      unitName: 'neuron',
      timing: { layer: l, op: DNN_TIMING_OP },
    });
    edges.push({
      from: l === 0 ? DNN_INPUT_ID : dnnLayerId(l - 1),
      to: dnnLayerId(l),
      weights: sparse ? w : new DenseWeights(w.rows, w.cols, options.dense?.[l] ?? w.toDense()),
      denseCount: w.rows * w.cols,
    });
  });
  const title = options.title ?? (sparse ? 'Sparse (CSR)' : 'Dense storage (same weights)');
  const graph: NetworkGraph = { title, layers, edges };
  validateGraph(graph);
  return graph;
}

/**
 * Per-layer times (ms, layer order) of one path as the rows the overlays anchor to graphFromDnn's layers;
 * repeats[l] > 1: layer l's time is the mean of that many kernel calls (the views say so).
 */
export function dnnTimings(
  layerMs: readonly number[],
  path: WeightPath,
  source: TimerSourceName,
  repeats?: readonly number[],
): LayerTiming[] {
  return layerMs.map((ms, layer) => {
    const r = repeats?.[layer] ?? 1;
    return { layer, op: DNN_TIMING_OP, path, ms, source, ...(r > 1 ? { repeats: r } : {}) };
  });
}

/**
 * Every layer's activations for a few images (0-based rows of `input`), for the scene's node colours:
 * byLayer['input'] = the pixels, byLayer['l{l+1}'] = Yₗ₊₁, each (images × width) row-major. A plain CPU
 * pass per image (f64 sums, f32 bias, as runDnnCpu): a handful of images costs Σ nnz(Wₗ) each.
 */
export function dnnLayerActivations(
  dnn: SparseDnn,
  input: CsrMatrix,
  images: readonly number[],
  labels: readonly string[],
): LayerActivations {
  if (labels.length !== images.length) throw new Error('dnnLayerActivations: one label per image');
  const count = images.length;
  const k0 = dnn.layers[0].cols;
  const pixels = new Float32Array(count * k0);
  images.forEach((img, t) => {
    if (!Number.isInteger(img) || img < 0 || img >= input.rows) {
      throw new Error(`dnnLayerActivations: image ${img} is not a row of the ${input.rows}-image input`);
    }
    for (let p = input.rowPtr[img]; p < input.rowPtr[img + 1]; p++) {
      pixels[t * k0 + input.colIdx[p]] = input.values[p];
    }
  });
  const byLayer: Record<string, Float32Array> = { [DNN_INPUT_ID]: pixels };
  const bias = Math.fround(dnn.bias);
  let x = pixels;
  dnn.layers.forEach((w, l) => {
    const { rows: n, cols: k, rowPtr, colIdx, values } = w;
    const y = new Float32Array(count * n);
    for (let t = 0; t < count; t++) {
      for (let r = 0; r < n; r++) {
        let acc = 0;
        for (let p = rowPtr[r]; p < rowPtr[r + 1]; p++) acc += values[p] * x[t * k + colIdx[p]];
        y[t * n + r] = Math.min(Math.max(Math.fround(acc + bias), 0), dnn.ymax);
      }
    }
    byLayer[dnnLayerId(l)] = y;
    x = y;
  });
  return { tokens: [...labels], byLayer };
}
