// The app shell around the scene: takes plain results (two graphs, activations, timings) and keeps the
// picture, overlays, inspector and status in step with them and with the view settings.
// The engine plugs in through showResults(); nothing here knows where the numbers came from.

import type { LayerTiming } from '../engine/types';
import { type LayerActivations, layerIndex, type NetworkGraph } from '../model/graph';
import { buildAnnotations } from '../scene/annotations';
import { buildEdgeBuffers } from '../scene/edges';
import { inspectNeuron } from '../scene/inspect';
import { layoutNetwork, nodeId, orderByBarycenter, type Selection, selectNeurons } from '../scene/layout';
import { NetworkView } from '../scene/networkView';
import { type PickHit, SceneView, type Side } from '../scene/sceneView';
import { formatCount, summarizeTimings, type TimingSummary } from '../scene/timingModel';
import { Inspector } from './inspector';
import { nextTask } from './nextTask';
import { Headline, StatusLine } from './status';

export interface SceneResults {
  sparseGraph: NetworkGraph;
  denseGraph: NetworkGraph;
  /** Per network, per layer, (tokens, size). The selection prefers the sparse network's. */
  activations?: { sparse?: LayerActivations; dense?: LayerActivations };
  timings: LayerTiming[];
  /** Shown instead of the timer source when the timings are not measurements. */
  timingNote?: string;
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

interface Picked {
  side: Side;
  layerId: string;
  index: number;
}

const ROW_CAP = 64;
const NETWORK_WIDTH = 9.5;
const MIDDLE_GAP = 9; // room for the spine (layer names, timing bars) between the two networks

export class App {
  readonly view: SceneView;
  readonly inspector: Inspector;
  readonly status: StatusLine;
  readonly headline: Headline;
  results: SceneResults | null = null;
  summary: TimingSummary | null = null;
  selection: Selection = new Map();
  readonly expanded = new Set<string>();
  readonly pinned = new Map<string, number[]>();
  private hover: PickHit | null = null;
  private selected: Picked | null = null;
  private resolveFirst: () => void = () => {};
  /** The neurons chosen for the views on screen (before ordering), to tell whether a run changed them. */
  private chosen: Selection = new Map();
  /** Bumped by every rebuild: an older rebuild still in flight stops at its next yield. */
  private generation = 0;
  private pendingBuild: Promise<void> = Promise.resolve();
  /** A rebuild asked to fit the camera; kept until one completes (an overtaken one may not have). */
  private frameNext = false;
  /** Resolves after the first render with data. */
  readonly firstRender: Promise<void>;

  constructor(
    root: HTMLElement,
    readonly settings: ViewSettings,
    options: { antialias?: boolean } = {},
  ) {
    const stage = document.createElement('div');
    stage.className = 'stage';
    root.append(stage);
    this.view = new SceneView(stage, options);
    this.headline = new Headline(root);
    this.inspector = new Inspector(root);
    this.status = new StatusLine(root);
    this.firstRender = new Promise((resolve) => {
      this.resolveFirst = resolve;
    });
    this.view.onHover = (hit) => this.setHover(hit);
    this.view.onClick = (hit) => (hit ? this.selectNode(hit.side, hit.node) : this.clearSelection());
    this.inspector.onJump = (layerId, index) => void this.jumpTo(layerId, index);
    this.inspector.onClose = () => this.clearSelection();
    // A layer name in the spine expands that layer (the overlay layer itself ignores the pointer).
    this.view.overlays.root.addEventListener('click', (e) => {
      const label = e.target instanceof Element ? e.target.closest('.spine-label') : null;
      const id = label?.parentElement?.dataset.layer;
      if (id) void this.toggleExpand(id);
    });
  }

  /**
   * New results (a run, a model). The scene is rebuilt in steps that each yield to the page, so a run
   * never blocks the main thread for long; when the run chose the same neurons of the same graphs, only
   * the colours and timing overlays change.
   */
  showResults(results: SceneResults): Promise<void> {
    const previous = this.results;
    const sameShape =
      previous !== null &&
      previous.sparseGraph.layers.length === results.sparseGraph.layers.length &&
      previous.sparseGraph.layers.every((l, i) => l.id === results.sparseGraph.layers[i].id);
    if (!sameShape) {
      this.expanded.clear();
      this.pinned.clear();
      this.selected = null;
      this.inspector.hide();
    }
    const sameGraphs =
      previous?.sparseGraph === results.sparseGraph && previous?.denseGraph === results.denseGraph;
    this.results = results;
    this.summary = summarizeTimings(results.timings);
    this.headline.set(this.summary, results.timingNote);
    this.view.onRender = () => {
      this.view.onRender = () => {};
      this.resolveFirst();
    };
    return this.rebuild({ reuse: sameGraphs, frame: !sameShape });
  }

  /** Resolves once the latest rebuild has reached the screen (or was overtaken by a newer one). */
  get settled(): Promise<void> {
    return this.pendingBuild;
  }

  /**
   * Selection → layouts → GPU objects → overlays, one step per task. `reuse`: the graphs are the ones on
   * screen, so an unchanged selection keeps the views. `frame`: fit the camera to the new networks.
   */
  rebuild(options: { reuse?: boolean; frame?: boolean } = {}): Promise<void> {
    const build = this.build(++this.generation, options);
    this.pendingBuild = build.catch(() => {});
    return build;
  }

  private async build(generation: number, { reuse = false, frame = false }): Promise<void> {
    this.frameNext ||= frame;
    const r = this.results;
    if (!r) return;
    const acts = r.activations?.sparse ?? r.activations?.dense;
    const chosen = selectNeurons(r.sparseGraph, {
      perLayer: this.settings.perLayer,
      activations: acts,
      expanded: this.expanded,
      pinned: this.pinned,
    });
    const { sparse: shownSparse, dense: shownDense } = this.view.views;
    if (reuse && shownSparse && shownDense && sameSelection(chosen, this.chosen)) {
      this.showOverlays(shownSparse, shownDense);
      this.recolor();
      return;
    }
    const stale = () => generation !== this.generation;
    await nextTask();
    if (stale()) return;
    const selection = this.settings.order === 'index' ? chosen : orderByBarycenter(r.sparseGraph, chosen);
    let widest = 2;
    for (const ids of selection.values()) widest = Math.max(widest, Math.min(ids.length, ROW_CAP));
    // Networks keep one width whatever the neuron count, so the spine between them keeps its room.
    const spacing = NETWORK_WIDTH / (widest - 1);
    const offset = NETWORK_WIDTH / 2 + MIDDLE_GAP / 2;
    const options = { brightness: this.settings.brightness, nodeRadius: Math.min(0.3 * spacing, 0.07) };
    // One step per task: each network's edges, then its GPU objects.
    const views: NetworkView[] = [];
    for (const [graph, offsetX] of [
      [r.sparseGraph, -offset],
      [r.denseGraph, offset],
    ] as const) {
      await nextTask();
      if (stale()) break;
      const layout = layoutNetwork(graph, { selection, offsetX, spacing, rowCap: ROW_CAP });
      const edges = buildEdgeBuffers(graph, layout, { gain: 1 });
      await nextTask();
      if (stale()) break;
      views.push(new NetworkView(graph, layout, options, edges));
    }
    const [sparse, dense] = views;
    if (!sparse || !dense) {
      for (const view of views) view.dispose();
      return;
    }
    await nextTask();
    await this.view.prepare(sparse, dense); // shader programs compile off the main thread where it can
    if (stale()) {
      sparse.dispose();
      dense.dispose();
      return;
    }
    this.selection = selection;
    this.chosen = chosen;
    this.view.setViews(sparse, dense);
    this.showOverlays(sparse, dense);
    this.recolor();
    this.status.setCounts(
      `${formatCount(sparse.edgeCount)} + ${formatCount(dense.edgeCount)} edges · 2 × ${formatCount(sparse.nodeCount)} neurons`,
    );
    if (this.frameNext) this.view.frameView('both');
    this.frameNext = false;
  }

  private showOverlays(sparse: NetworkView, dense: NetworkView): void {
    this.view.overlays.setItems(
      buildAnnotations(sparse, dense, this.summary, {
        timings: this.settings.timings,
        layerLabels: this.settings.labels,
      }),
    );
  }

  /** Token changed: node colours and the inspector's activation only. */
  recolor(): void {
    const r = this.results;
    if (!r) return;
    const token = this.settings.token;
    this.view.views.sparse?.setActivations(r.activations?.sparse, token);
    this.view.views.dense?.setActivations(r.activations?.dense, token);
    this.refreshFocus();
    if (this.selected) this.showInspector(this.selected);
  }

  counts(): Record<Side, { edges: number; nodes: number }> {
    const c = (side: Side) => ({
      edges: this.view.views[side]?.edgeCount ?? 0,
      nodes: this.view.views[side]?.nodeCount ?? 0,
    });
    return { sparse: c('sparse'), dense: c('dense') };
  }

  /** Node id of a neuron in the shared layout, or -1 when not on screen. */
  nodeOf(side: Side, layerId: string, index: number): number {
    const view = this.view.views[side];
    if (!view) return -1;
    return nodeId(view.layout, layerIndex(view.graph, layerId), index);
  }

  private setHover(hit: PickHit | null): void {
    if (hit?.side === this.hover?.side && hit?.node === this.hover?.node) return;
    this.hover = hit;
    this.view.renderer.domElement.style.cursor = hit ? 'pointer' : '';
    this.refreshFocus();
  }

  /** Both networks share the layout, so a node id names the same neuron on both sides. */
  private refreshFocus(): void {
    const pinned = this.selected
      ? this.nodeOf(this.selected.side, this.selected.layerId, this.selected.index)
      : -1;
    const hover = this.hover?.node ?? -1;
    this.view.views.sparse?.setFocus(hover, pinned);
    this.view.views.dense?.setFocus(hover, pinned);
    this.view.requestRender(this.hover !== null);
  }

  selectNode(side: Side, node: number): void {
    const view = this.view.views[side];
    if (!view) return;
    const layer = view.graph.layers[view.layout.nodeLayer[node]];
    this.selected = { side, layerId: layer.id, index: view.layout.nodeNeuron[node] };
    this.showInspector(this.selected);
    this.refreshFocus();
  }

  clearSelection(): void {
    this.selected = null;
    this.inspector.hide();
    this.refreshFocus();
  }

  /** Inspector link: select that neuron (pinning it on screen if it was not shown) and centre on it. */
  async jumpTo(layerId: string, index: number): Promise<void> {
    const side = this.selected?.side ?? 'sparse';
    if (this.nodeOf(side, layerId, index) < 0) {
      this.pinned.set(layerId, [...(this.pinned.get(layerId) ?? []), index]);
      await this.rebuild();
    }
    const node = this.nodeOf(side, layerId, index);
    if (node < 0) return;
    this.selectNode(side, node);
    this.view.centerOn(side, node);
  }

  /** Shows every neuron of a layer (up to the cap), or back to the subset. */
  toggleExpand(layerId: string): Promise<void> {
    if (this.expanded.has(layerId)) this.expanded.delete(layerId);
    else this.expanded.add(layerId);
    return this.rebuild();
  }

  get selectedNeuron(): Picked | null {
    return this.selected;
  }

  private showInspector(p: Picked): void {
    const r = this.results;
    if (!r) return;
    const graph = p.side === 'sparse' ? r.sparseGraph : r.denseGraph;
    const twin = p.side === 'sparse' ? r.denseGraph : r.sparseGraph;
    const activations = r.activations?.[p.side];
    const token = this.settings.token;
    const info = inspectNeuron(graph, p.layerId, p.index, { twin, activations, token });
    const label = activations?.tokens[token];
    this.inspector.show(info, p.side, label === undefined ? null : `${JSON.stringify(label)} (#${token})`);
  }
}

function sameSelection(a: Selection, b: Selection): boolean {
  if (a.size !== b.size) return false;
  for (const [id, ids] of a) {
    const other = b.get(id);
    if (!other || other.length !== ids.length || ids.some((v, i) => other[i] !== v)) return false;
  }
  return true;
}
