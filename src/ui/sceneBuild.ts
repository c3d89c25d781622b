// What the scene shows (SceneResults, ViewSettings), and building the two NetworkViews for it one step
// per task (src/ui/nextTask.ts), so a run never blocks the page: order the chosen neurons, then for each
// network its edges, then its GPU objects, then the shader programs. The caller commits the result.

import type { LayerTiming, MeasureSummary } from '../contracts';
import type { LayerActivations, NetworkGraph } from '../model/graph';
import { formatCount } from '../params/limits';
import { orderByBarycenter } from '../scene/barycenter';
import { buildEdgeBuffers } from '../scene/edges';
import { layoutNetwork, type Selection } from '../scene/layout';
import { NetworkView } from '../scene/networkView';
import { nextTask } from './nextTask';

export interface SceneResults {
  sparseGraph: NetworkGraph;
  denseGraph: NetworkGraph;
  /** Per network, per layer, (tokens, size). The selection prefers the sparse network's. */
  activations?: { sparse?: LayerActivations; dense?: LayerActivations };
  timings: LayerTiming[];
  /** Shown instead of the timer source when the timings are not measurements. */
  timingNote?: string;
  /** The measurement protocol's totals (medians of per-run sums, spread), start-up and repeats. */
  measure?: MeasureSummary;
}

export interface ViewSettings {
  perLayer: number;
  /** Neuron order within a layer: barycentre sweeps over the sparse graph (fewer crossings) or index. */
  order?: 'barycenter' | 'index';
  token: number;
  brightness: number;
  timings: boolean;
  labels: boolean;
}

const ROW_CAP = 64;
const NETWORK_WIDTH = 9.5;
const MIDDLE_GAP = 9; // room for the spine (layer names, timing bars) between the two networks

/** What a pair of views is built from. Equal keys and equal chosen neurons: the views can stay. */
export interface BuildKey {
  sparseGraph: NetworkGraph;
  denseGraph: NetworkGraph;
  brightness: number;
  order: 'barycenter' | 'index';
}

export interface BuiltViews {
  /** The chosen neurons in display order. */
  selection: Selection;
  sparse: NetworkView;
  dense: NetworkView;
}

export function sameKey(a: BuildKey, b: BuildKey): boolean {
  return (
    a.sparseGraph === b.sparseGraph &&
    a.denseGraph === b.denseGraph &&
    a.brightness === b.brightness &&
    a.order === b.order
  );
}

export function sameSelection(a: Selection, b: Selection): boolean {
  if (a.size !== b.size) return false;
  for (const [id, ids] of a) {
    const other = b.get(id);
    if (!other || other.length !== ids.length || ids.some((v, i) => other[i] !== v)) return false;
  }
  return true;
}

/**
 * The views for `key` showing `chosen`, or null when `stale()` turned true at one of the steps (a newer
 * build took over). Views made before a stop or an error are freed here.
 */
export async function buildViews(
  key: BuildKey,
  chosen: Selection,
  stale: () => boolean,
  prepare: (views: NetworkView[]) => Promise<void>,
): Promise<BuiltViews | null> {
  const views: NetworkView[] = [];
  let done = false;
  try {
    await nextTask();
    if (stale()) return null;
    const selection = key.order === 'index' ? chosen : orderByBarycenter(key.sparseGraph, chosen);
    let widest = 2;
    for (const ids of selection.values()) widest = Math.max(widest, Math.min(ids.length, ROW_CAP));
    // Networks keep one width whatever the neuron count, so the spine between them keeps its room.
    const spacing = NETWORK_WIDTH / (widest - 1);
    const offset = NETWORK_WIDTH / 2 + MIDDLE_GAP / 2;
    const options = { brightness: key.brightness, nodeRadius: Math.min(0.3 * spacing, 0.07) };
    for (const [graph, offsetX] of [
      [key.sparseGraph, -offset],
      [key.denseGraph, offset],
    ] as const) {
      await nextTask();
      if (stale()) return null;
      const layout = layoutNetwork(graph, { selection, offsetX, spacing, rowCap: ROW_CAP });
      const edges = buildEdgeBuffers(graph, layout, { gain: 1 });
      await nextTask();
      if (stale()) return null;
      views.push(new NetworkView(graph, layout, options, edges));
    }
    await nextTask();
    if (stale()) return null;
    await prepare(views);
    if (stale()) return null;
    done = true;
    return { selection, sparse: views[0], dense: views[1] };
  } finally {
    if (!done) for (const view of views) view.dispose();
  }
}

/** Same layer ids and sizes, in the same order: selections, pins and the inspector carry over. */
export function sameLayers(a: NetworkGraph, b: NetworkGraph): boolean {
  return (
    a.layers.length === b.layers.length &&
    a.layers.every((l, i) => l.id === b.layers[i].id && l.size === b.layers[i].size)
  );
}

/** The status line's "2,447 + 10,240 edges · 2 × 416 neurons". */
export function countsText(sparse: NetworkView, dense: NetworkView): string {
  return `${formatCount(sparse.edgeCount)} + ${formatCount(dense.edgeCount)} edges · 2 × ${formatCount(sparse.nodeCount)} neurons`;
}
