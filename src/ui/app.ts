// The app shell around the scene: takes plain results (two graphs, activations, timings) and keeps the
// picture, overlays, inspector and status in step with them and with the view settings.
// The engine plugs in through showResults(); nothing here knows where the numbers came from.

import { layerIndex } from '../model/graph';
import { buildAnnotations } from '../scene/annotations';
import { inspectNeuron } from '../scene/inspect';
import { nodeId, type Selection, selectNeurons } from '../scene/layout';
import type { NetworkView } from '../scene/networkView';
import { type PickHit, SceneView, type Side } from '../scene/sceneView';
import { SpineGroups } from '../scene/spineGroups';
import { summarizeTimings, type TimingSummary } from '../scene/timingModel';
import { withMeasuredTotals } from '../scene/timingText';
import { Inspector } from './inspector';
import { afterFrames, untilSettled } from './nextTask';
import {
  type BuildKey,
  buildViews,
  countsText,
  type SceneResults,
  sameKey,
  sameLayers,
  sameSelection,
  type ViewSettings,
} from './sceneBuild';
import { Headline, StatusLine } from './status';

export type { SceneResults, ViewSettings };

interface Picked {
  side: Side;
  layerId: string;
  index: number;
}

export class App {
  readonly view: SceneView;
  /** Runs of blocks the spine draws as one row (grown by sceneTools when timed rows do not fit). */
  readonly spineGroups = new SpineGroups();
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
  private resolveFirst: (() => void) | null = null;
  /** What the views on screen show: the results, what they were built from, the neurons chosen. */
  private shown: { results: SceneResults; key: BuildKey; chosen: Selection } | null = null;
  /** Bumped by every rebuild: an older rebuild still in flight stops at its next yield. */
  private generation = 0;
  private pendingBuild: Promise<void> = Promise.resolve();
  /** A rebuild asked to fit the camera; kept until one completes (an overtaken one may not have). */
  private frameNext = false;
  /** Full rebuilds that reached the screen (tests tell a rebuild from a recolour by it). */
  builds = 0;
  /** Resolves after the first render with data. */
  readonly firstRender: Promise<void>;
  /** Errors of a rebuild nobody awaits (a view setting changed); the runner shows them. */
  onError: (message: string) => void = (message) => console.warn(`sparsescope: ${message}`);
  /** A neuron was pinned or let go (the URL follows). */
  onSelectionChange: () => void = () => {};

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
      this.resolveFirst = () => resolve();
    });
    this.view.onHover = (hit) => this.setHover(hit);
    this.view.onClick = (hit) => (hit ? this.selectNode(hit.side, hit.node) : this.clearSelection());
    this.inspector.onJump = (layerId, index) => void this.jumpTo(layerId, index);
    this.inspector.onClose = () => this.clearSelection();
    // A layer name in the spine expands that layer (the overlay layer itself ignores the pointer).
    this.view.overlays.root.addEventListener('click', (e) => {
      const run = e.target instanceof Element ? e.target.closest<HTMLElement>('.spine-group') : null;
      if (run) {
        this.spineGroups.toggle(Number(run.dataset.first));
        this.refreshOverlays();
      }
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
    const sameShape = previous !== null && sameLayers(previous.sparseGraph, results.sparseGraph);
    if (!sameShape) {
      this.expanded.clear();
      this.pinned.clear();
      this.selected = null;
      this.inspector.hide();
    }
    this.results = results;
    this.summary = withMeasuredTotals(summarizeTimings(results.timings), results.measure);
    this.headline.set(this.summary, results.timingNote, results.measure);
    return this.rebuild({ frame: !sameShape });
  }

  /** Resolves once no rebuild is in flight (waiting through any that start meanwhile). */
  get settled(): Promise<void> {
    return untilSettled(() => this.pendingBuild);
  }

  /**
   * Selection → layouts → GPU objects → overlays, one step per task (sceneBuild.ts); when the views on
   * screen were built from the same graphs and settings and the same neurons are chosen, only colours and
   * overlays change. `frame`: fit the camera to the result. Never rejects: errors go to onError.
   */
  rebuild(options: { frame?: boolean } = {}): Promise<void> {
    const build = this.build(++this.generation, options.frame ?? false).catch((err) =>
      this.onError(`showing the networks: ${err instanceof Error ? err.message : String(err)}`),
    );
    this.pendingBuild = build;
    return build;
  }

  private async build(generation: number, frame: boolean): Promise<void> {
    this.frameNext ||= frame;
    const r = this.results;
    if (!r) return;
    const chosen = selectNeurons(r.sparseGraph, {
      perLayer: this.settings.perLayer,
      activations: r.activations?.sparse ?? r.activations?.dense, // the sparse network's, when it has them
      expanded: this.expanded,
      pinned: this.pinned,
    });
    const key: BuildKey = {
      sparseGraph: r.sparseGraph,
      denseGraph: r.denseGraph,
      brightness: this.settings.brightness,
      order: this.settings.order ?? 'barycenter',
    };
    const { sparse: onSparse, dense: onDense } = this.view.views;
    if (
      this.shown &&
      onSparse &&
      onDense &&
      sameKey(this.shown.key, key) &&
      sameSelection(chosen, this.shown.chosen)
    ) {
      this.shown = { results: r, key, chosen };
      this.finish(onSparse, onDense);
      return;
    }
    const built = await buildViews(
      key,
      chosen,
      () => generation !== this.generation,
      (views) => this.view.prepare(...views),
    );
    if (!built) return;
    this.selection = built.selection;
    this.shown = { results: r, key, chosen };
    this.view.setViews(built.sparse, built.dense);
    this.builds++;
    // Node ids and layers of the old views mean nothing now.
    this.hover = null;
    if (this.selected && !this.stillThere(this.selected)) {
      this.selected = null;
      this.inspector.hide();
    }
    this.status.setCounts(countsText(built.sparse, built.dense));
    this.finish(built.sparse, built.dense, false);
    // The new views' buffers upload in the next frame; the new overlay DOM (style, layout, paint) goes
    // in the frame after it, so that no single frame carries both (together ~50 ms on SwiftShader).
    await afterFrames(2);
    if (generation === this.generation) this.showOverlays(built.sparse, built.dense);
  }

  /** Overlays, colours, a pending camera fit and the first-render promise, for the views now on screen. */
  private finish(sparse: NetworkView, dense: NetworkView, overlays = true): void {
    if (overlays) this.showOverlays(sparse, dense);
    this.recolor();
    if (this.frameNext) this.view.frameView(this.view.framed); // keeps the camera preset (1, 2, 3)
    this.frameNext = false;
    const resolve = this.resolveFirst;
    if (resolve) {
      this.resolveFirst = null;
      this.view.onRender = () => {
        this.view.onRender = () => {};
        resolve();
      };
      this.view.requestRender();
    }
  }

  private stillThere(p: Picked): boolean {
    const graph = this.view.views[p.side]?.graph;
    const layer = graph?.layers.find((l) => l.id === p.layerId);
    return layer !== undefined && p.index < layer.size;
  }

  private showOverlays(sparse: NetworkView, dense: NetworkView): void {
    this.spineGroups.forModel(`${sparse.graph.title}:${sparse.graph.layers.length}`);
    this.view.overlays.setItems(
      buildAnnotations(sparse, dense, this.summary, {
        timings: this.settings.timings,
        layerLabels: this.settings.labels,
        groups: this.spineGroups,
      }),
    );
    this.view.requestRender(); // the new items are placed on the next render
  }

  /** The overlays again for the views on screen (the spine's collapsed runs changed). */
  refreshOverlays(): void {
    const { sparse, dense } = this.view.views;
    if (sparse && dense) this.showOverlays(sparse, dense);
  }

  /** Token changed: node colours and the inspector's activation only. */
  recolor(): void {
    const r = this.shown?.results; // what the views on screen were built for
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
    this.onSelectionChange();
  }

  clearSelection(): void {
    this.selected = null;
    this.inspector.hide();
    this.refreshFocus();
    this.onSelectionChange();
  }

  /** Inspector link: select that neuron (pinning it on screen if it was not shown) and centre on it. */
  async jumpTo(layerId: string, index: number, onSide?: Side): Promise<void> {
    const side = onSide ?? this.selected?.side ?? 'sparse';
    if (this.nodeOf(side, layerId, index) < 0) {
      this.pinned.set(layerId, [...(this.pinned.get(layerId) ?? []), index]);
      await this.rebuild();
      await this.settled; // a run's rebuild may have overtaken this one; it pins the neuron too
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
    const r = this.shown?.results;
    if (!r || !this.stillThere(p)) return;
    const graph = p.side === 'sparse' ? r.sparseGraph : r.denseGraph;
    const twin = p.side === 'sparse' ? r.denseGraph : r.sparseGraph;
    const activations = r.activations?.[p.side];
    const token = this.settings.token;
    const info = inspectNeuron(graph, p.layerId, p.index, { twin, activations, token });
    const label = activations?.tokens[token];
    this.inspector.show(info, p.side, label === undefined ? null : `${JSON.stringify(label)} (#${token})`);
  }
}
