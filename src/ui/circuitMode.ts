// Circuit mode: for the chosen task, each network's circuit bright and the rest ghosted (circuitScene.ts),
// the panel's numbers (circuitPanel.ts), the clicked node's effect, and "find again" live in a worker
// (circuitClient.ts). The tiny pair ships precomputed circuits; another GPT-2 with the tasks' vocabulary
// gets its circuits found live. Leaving the mode shows the last run again.

import { type CircuitJson, type LoadedCircuit, readCircuitJson } from '../circuit/circuitJson';
import type { LayerActivations, NetworkGraph } from '../model/graph';
import type { Gpt2Weights } from '../model/weights';
import type { Side } from '../scene/sceneView';
import { type TaskName, VOCAB } from '../train/tasks';
import type { App, SceneResults } from './app';
import { CircuitCancelledError, CircuitClient } from './circuitClient';
import { CircuitPanel } from './circuitPanel';
import { circuitActivations, circuitGraph, circuitNodesAt } from './circuitScene';
import { givenCircuitScene } from './givenCircuitScene';
import { Gpt2Workload } from './workloads/gpt2';
import type { Workload } from './workloads/workload';

type Pair = Record<Side, { json: CircuitJson; loaded: LoadedCircuit }>;

/** Where the precomputed circuits of a built-in model live (scripts/make-circuits.ts writes them). */
const PRECOMPUTED: Record<string, string> = { 'tiny-pair': 'models/tiny-pair/circuits' };

export interface CircuitModeHost {
  app: App;
  workload: () => Workload | null;
  /** The last run's scene, shown again when circuit mode is left. */
  lastScene: () => SceneResults | null;
  /** Token count of the last run (the circuit colours are repeated for every token). */
  tokenCount: () => number;
  /** ?circuit=<task>: open in circuit mode on that task once the first run is on screen. */
  initialTask?: string | null;
}

export class CircuitMode {
  readonly panel: CircuitPanel;
  private readonly client = new CircuitClient();
  private readonly cache = new Map<string, Pair>();
  private active = false;
  private task: TaskName = 'quote';
  private shown: { workload: Gpt2Workload; pair: Pair; source: string; key: string } | null = null;
  /** Names each circuit shown, so the worker's one-node scorer is never reused for another circuit. */
  private version = 0;
  private busy = false;

  constructor(
    parent: HTMLElement,
    private readonly host: CircuitModeHost,
  ) {
    this.panel = new CircuitPanel(parent);
    this.panel.root.hidden = true; // until a run shows a model circuits apply to
    this.panel.onToggle = (on) => void (on ? this.enter() : this.leave());
    this.panel.onTask = (task) => {
      this.task = task;
      if (this.active) void this.enter();
    };
    this.panel.onFind = () => void this.findLive();
    this.panel.onCancel = () => this.client.cancel();
    const view = host.app.view;
    const previous = view.onClick;
    view.onClick = (hit) => {
      previous(hit);
      if (this.active && hit) void this.explain(hit.side, hit.node);
    };
    const initial = host.initialTask;
    if (initial) {
      const known = [...this.panel.task.options].some((o) => o.value === initial);
      if (!known) this.panel.setMessage(`?circuit=${initial}: no such task`, true);
      else
        void host.app.firstRender.then(() => {
          this.task = initial as TaskName;
          this.panel.task.value = initial;
          return this.enter();
        });
    }
  }

  get isActive(): boolean {
    return this.active;
  }

  /** The workload's GPT-2 pair when circuits apply to it, else a reason. */
  private pairOf(): Gpt2Workload | string {
    const w = this.host.workload();
    if (!(w instanceof Gpt2Workload) || !w.dense || !w.sparse) return 'circuits need a GPT-2 model pair';
    if (w.dense.config.arch) return 'circuit discovery does not handle circuit_sparsity models yet';
    if (w.dense.config.vocabSize !== VOCAB.length)
      return `the tasks are written in the tiny pair's ${VOCAB.length}-character vocabulary; this model has ${w.dense.config.vocabSize} tokens`;
    return w;
  }

  /** A circuit_sparsity workload opened with a viz_data.pt: its circuit (or why it is unusable). */
  private givenOf(): { w: Gpt2Workload; given: NonNullable<Gpt2Workload['given']> } | null {
    const w = this.host.workload();
    return w instanceof Gpt2Workload && w.given && w.dense && w.sparse ? { w, given: w.given } : null;
  }

  async enter(): Promise<void> {
    const given = this.givenOf();
    if (given) return this.showGiven(given.w, given.given);
    const w = this.pairOf();
    if (typeof w === 'string') {
      this.panel.setActive(false);
      this.panel.setMessage(w, true);
      return;
    }
    this.active = true;
    this.panel.setActive(true);
    const key = `${w.id}:${this.task}`;
    let pair = this.cache.get(key);
    let source = 'found live in this page';
    try {
      if (!pair && PRECOMPUTED[w.id]) {
        pair = await this.fetchPair(w, PRECOMPUTED[w.id]);
        source = 'precomputed (scripts/make-circuits.ts)';
      }
      if (!pair) pair = await this.find(w);
    } catch (err) {
      if (!(err instanceof CircuitCancelledError)) this.panel.setMessage(errorText(err), true);
      if (!pair) return this.leave();
    }
    if (!pair || !this.active) return;
    this.cache.set(key, pair);
    await this.show(w, pair, source);
  }

  private async fetchPair(w: Gpt2Workload, base: string): Promise<Pair> {
    const load = async (side: Side, weights: Gpt2Weights) => {
      const url = `${base}/${side}.${this.task}.json`;
      const response = await fetch(url);
      if (!response.ok) throw new Error(`could not load ${url}: HTTP ${response.status}`);
      const loaded = readCircuitJson(await response.text(), weights.config);
      return { json: loaded.json, loaded };
    };
    const [sparse, dense] = await Promise.all([load('sparse', w.sparse!), load('dense', w.dense!)]);
    return { sparse, dense };
  }

  /** Both networks' circuits found in the worker, sparse first, with progress. */
  private async find(w: Gpt2Workload): Promise<Pair> {
    this.busy = true;
    try {
      const out: Partial<Pair> = {};
      for (const [i, side] of (['sparse', 'dense'] as const).entries()) {
        const weights = side === 'sparse' ? w.sparse! : w.dense!;
        this.client.setModel(side, weights, `${w.id} (${side})`);
        const started = performance.now();
        this.panel.setBusy(true, i / 2, `${side}: starting`);
        const json = await this.client.find(side, this.task, 'mean', (f, what) =>
          this.panel.setBusy(
            true,
            (i + f) / 2,
            `${side}: ${what} · ${((performance.now() - started) / 1000).toFixed(0)} s`,
          ),
        );
        out[side] = { json, loaded: readCircuitJson(JSON.stringify(json), weights.config) };
      }
      return out as Pair;
    } finally {
      this.busy = false;
      this.panel.setBusy(false);
    }
  }

  private async findLive(): Promise<void> {
    const w = this.pairOf();
    if (typeof w === 'string' || this.busy) return;
    const started = performance.now();
    try {
      const pair = await this.find(w);
      this.cache.set(`${w.id}:${this.task}`, pair);
      if (this.active)
        await this.show(
          w,
          pair,
          `found live in a worker in ${((performance.now() - started) / 1000).toFixed(1)} s`,
        );
    } catch (err) {
      this.panel.setMessage(
        err instanceof CircuitCancelledError ? 'cancelled' : errorText(err),
        !(err instanceof CircuitCancelledError),
      );
    }
  }

  /** The release's precomputed circuit (viz_data.pt) on its own model: shown, never searched for. */
  private async showGiven(w: Gpt2Workload, given: NonNullable<Gpt2Workload['given']>): Promise<void> {
    if ('error' in given) {
      this.panel.setActive(false);
      this.panel.setMessage(given.error, true);
      return;
    }
    const viz = given.circuit;
    this.active = true;
    this.panel.setActive(true);
    const sparse = givenCircuitScene(w.sparse!, viz, 'Sparse · their circuit');
    const dense = givenCircuitScene(w.dense!, viz, 'Dense · their circuit');
    const count = (n: number) => n.toLocaleString('en-US');
    const loss = (x: number | null) => (x === null ? 'not stored' : x.toFixed(3));
    this.panel.showGiven(
      `${count(viz.nodeCount)} nodes · ${count(sparse.edges)} edges`,
      [
        ['nodes', `${count(viz.nodeCount)} / ${count(sparse.totalNodes)}`, 'given-nodes'],
        ['edges (nonzero weights)', `${count(sparse.edges)} / ${count(sparse.totalEdges)}`, 'given-edges'],
        ['locations', String(viz.nodes.size)],
        ['task loss, model', loss(viz.loss)],
        ['task loss, circuit', loss(viz.circuitLoss)],
        ['edge matrices (pair_data)', String(viz.pairCount)],
      ],
      `${viz.fileName}: the release's precomputed circuit (losses as stored ÷ 2) · circuit discovery is not run for circuit_sparsity models`,
    );
    await this.display(
      { sparse: sparse.graph, dense: dense.graph },
      { sparse: sparse.activations, dense: dense.activations },
      `circuit mode · ${viz.fileName}`,
    );
  }

  private async show(w: Gpt2Workload, pair: Pair, source: string): Promise<void> {
    const graphs = {
      sparse: circuitGraph(w.sparse!, pair.sparse.loaded, `Sparse · circuit`),
      dense: circuitGraph(w.dense!, pair.dense.loaded, `Dense · circuit`),
    };
    const lit = (side: Side) =>
      circuitActivations(side === 'sparse' ? w.sparse! : w.dense!, pair[side].loaded, graphs[side]);
    this.shown = { workload: w, pair, source, key: `${w.id}:${this.task}:${++this.version}` };
    this.panel.show({ sparse: pair.sparse.json, dense: pair.dense.json }, source);
    await this.display(graphs, { sparse: lit('sparse'), dense: lit('dense') }, `circuit mode · ${this.task}`);
  }

  /** Both circuits in the scene, lit neurons repeated for every token of the last run. */
  private async display(
    graphs: Record<Side, NetworkGraph>,
    one: Record<Side, LayerActivations>,
    note: string,
  ): Promise<void> {
    const tokens = Math.max(1, this.host.tokenCount());
    const repeat = (side: Side) => {
      const byLayer: Record<string, Float32Array> = {};
      for (const [id, lit] of Object.entries(one[side].byLayer)) {
        const all = new Float32Array(lit.length * tokens);
        for (let t = 0; t < tokens; t++) all.set(lit, t * lit.length);
        byLayer[id] = all;
      }
      return { tokens: Array.from({ length: tokens }, () => 'circuit'), byLayer };
    };
    const app = this.host.app;
    const results: SceneResults = {
      sparseGraph: graphs.sparse,
      denseGraph: graphs.dense,
      activations: { sparse: repeat('sparse'), dense: repeat('dense') },
      timings: [],
      timingNote: note,
    };
    void app.showResults(results);
    // Every neuron on screen: the circuit lit, the rest as ghosts (showResults may have cleared these).
    for (const layer of graphs.sparse.layers) app.expanded.add(layer.id);
    await app.rebuild();
    await app.settled;
  }

  leave(): void {
    this.off();
    this.client.cancel();
    const last = this.host.lastScene();
    if (last) void this.host.app.showResults(last);
  }

  /** A run replaced the picture: circuit mode is off; the panel shows only for models circuits apply to. */
  onRun(): void {
    if (this.active) this.off();
    const given = this.givenOf();
    this.panel.root.hidden = typeof this.pairOf() === 'string' && !given;
    this.panel.task.hidden = given !== null;
    if (given && 'error' in given.given) this.panel.setMessage(given.given.error, true);
  }

  private off(): void {
    this.active = false;
    this.shown = null;
    this.panel.setActive(false);
  }

  private async explain(side: Side, node: number): Promise<void> {
    const shown = this.shown;
    const view = this.host.app.view.views[side];
    if (!shown || !view) return;
    const layerId = view.graph.layers[view.layout.nodeLayer[node]].id;
    const index = view.layout.nodeNeuron[node];
    const weights = side === 'sparse' ? shown.workload.sparse! : shown.workload.dense!;
    const { json, loaded } = shown.pair[side];
    const nodes = circuitNodesAt(weights, loaded, layerId, index);
    if (nodes.length === 0) {
      this.panel.setNode(`${side} ${layerId} #${index} is not in the circuit`);
      return;
    }
    this.client.setModel(side, weights, `${shown.workload.id} (${side})`);
    this.panel.setNode(`${side} ${nodes.map((n) => n.name).join(' + ')}: measuring…`);
    try {
      const parts = await Promise.all(nodes.map((n) => this.client.effect(side, shown.key, json, n.flat)));
      if (this.shown !== shown) return;
      const text = nodes
        .map((n, i) => {
          const { loss, without } = parts[i];
          const rise = without - loss;
          return `${n.name}: removing it alone ${rise >= 0 ? 'raises' : 'lowers'} the task loss by ${Math.abs(rise).toFixed(3)} nats (${loss.toFixed(3)} → ${without.toFixed(3)})`;
        })
        .join('; ');
      this.panel.setNode(`${side} ${text}`);
    } catch (err) {
      this.panel.setNode(`${side}: ${errorText(err)}`);
    }
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
