// App entry: the scene, the panel and shortcuts, fed for now by the synthetic demo (src/ui/demo.ts).
// To plug the engine in, call showResults() with its graphs, activations and timings instead of
// demoResults(); everything downstream reads only that plain data.

import './style.css';
import type { LayerTiming } from './engine/types';
import { GpuContext, GpuUnavailableError } from './gpu/context';
import type { NetworkGraph } from './model/graph';
import {
  graphOfSynthetic,
  SYNTHETIC_PRESETS,
  type SyntheticModel,
  sparsifyModel,
  syntheticGpt2,
} from './model/graphSynthetic';
import type { FrameStats, Side } from './scene/sceneView';
import { App, type SceneResults } from './ui/app';
import { Controls, type ControlValues, DENSITIES } from './ui/controls';
import { charTokens, demoActivations, demoTimings } from './ui/demo';
import { Shortcuts } from './ui/keys';
import type { BackendStatus } from './ui/status';

export interface SparsescopeApi {
  /** Resolves after the first render with data. */
  ready: Promise<void>;
  backend: { kind: BackendStatus['kind']; reason?: string };
  timings: LayerTiming[];
  readonly frameStats: FrameStats;
  showResults(results: SceneResults): void;
  /** For tests and benchmarks: what is on screen, where a neuron is, the graphs drawn. */
  debug: {
    counts(): Record<Side, { edges: number; nodes: number }>;
    nodeScreen(side: Side, layerId: string, index: number): { x: number; y: number } | null;
    displayed(layerId: string): number[];
    graphs(): { sparse: NetworkGraph; dense: NetworkGraph } | null;
    benchOrbit(
      frames?: number,
      detail?: 'moving' | 'full',
    ): Promise<FrameStats & { p90: number; renderMedian: number }>;
  };
}

declare global {
  interface Window {
    sparsescope: SparsescopeApi;
  }
}

performance.mark('main-start');
const params = new URLSearchParams(location.search);
const values: ControlValues = {
  model: params.get('model') ?? 'tiny',
  prompt: params.get('prompt') ?? "x = {'a': [1, 2]}",
  token: 0,
  density: params.get('density') ?? '1/64',
  backend: 'webgpu',
  perLayer: Number(params.get('neurons') ?? 32),
  brightness: Number(params.get('brightness') ?? 1),
  timings: true,
  labels: true,
};
const order: 'index' | 'barycenter' = params.get('order') === 'index' ? 'index' : 'barycenter';

/** ?vocab=1 draws the token and logit layers (their embedding edges are dense on both sides). */
const withVocab = params.get('vocab') === '1';
const root = document.getElementById('app')!;
/** ?aa=1 / ?aa=0 forces multisampling on / off (default: off on a CPU rasterizer only). */
const aa = params.get('aa');
const app = new App(root, Object.assign(values, { order }), {
  antialias: aa === null ? undefined : aa === '1',
});
const models = new Map<string, SyntheticModel>();

function demoResults(v: ControlValues): SceneResults {
  const config = SYNTHETIC_PRESETS[v.model] ?? SYNTHETIC_PRESETS.tiny;
  let model = models.get(v.model);
  if (!model) {
    model = syntheticGpt2(config, 1);
    models.set(v.model, model);
  }
  const sparseModel = sparsifyModel(model, DENSITIES[v.density] ?? 1 / 64);
  const { ids, labels } = charTokens(v.prompt || ' ', config.vocab);
  return {
    sparseGraph: graphOfSynthetic(sparseModel, true, { title: 'Sparse', withVocab }),
    denseGraph: graphOfSynthetic(model, false, { title: 'Dense baseline', withVocab }),
    activations: {
      sparse: demoActivations(sparseModel, 'sparse', ids, labels),
      dense: demoActivations(model, 'dense', ids, labels),
    },
    timings: demoTimings(model, sparseModel, ids.length),
    timingNote: 'demo timings from a cost model, not measured (engine not connected)',
  };
}

export function showResults(results: SceneResults): void {
  api.timings = results.timings;
  app.showResults(results);
  controls.setTokenCount(results.activations?.sparse?.tokens.length ?? 1);
}

let detected: BackendStatus = { kind: 'cpu', reason: 'checking for WebGPU…' };

function applyBackend(): void {
  const status: BackendStatus =
    values.backend === 'cpu' ? { kind: 'cpu', reason: 'chosen in the panel' } : detected;
  api.backend = { kind: status.kind, reason: status.reason };
  app.status.setBackend(status);
  const { webgl } = app.view;
  const raster = `WebGL: ${webgl.software ? 'software rasterizer' : webgl.renderer}${webgl.antialias ? '' : ', no MSAA'}`;
  app.status.setNote(
    `synthetic demo model (seeded weights) · demo activations: no attention mixing · ${raster}`,
  );
}

function reload(): void {
  applyBackend();
  showResults(demoResults(values));
}

const controls = new Controls(root, values, Object.keys(SYNTHETIC_PRESETS), {
  onModelChange: () => {
    app.status.setNote(`building ${values.model}…`);
    setTimeout(reload, 30); // let the note paint before a long build
  },
  onViewChange: () => app.rebuild(),
  onTokenChange: () => app.recolor(),
  onFrame: (target) => app.view.frameView(target),
  onHelp: () => shortcuts.toggleHelp(),
});

const step = (delta: number) => {
  const count = app.results?.activations?.sparse?.tokens.length ?? 1;
  values.token = Math.min(Math.max(values.token + delta, 0), count - 1);
  controls.refresh();
  app.recolor();
};
const scaleNeurons = (factor: number) => {
  values.perLayer = Math.min(256, Math.max(8, Math.round(values.perLayer * factor)));
  controls.refresh();
  app.rebuild();
};
const toggle = (key: 'timings' | 'labels') => {
  values[key] = !values[key];
  controls.refresh();
  app.rebuild();
};
const shortcuts = new Shortcuts(root, [
  { keys: ['r'], label: 'reset the view', run: () => app.view.frameView('both') },
  { keys: ['1'], label: 'frame the sparse network', run: () => app.view.frameView('sparse') },
  { keys: ['2'], label: 'frame the dense network', run: () => app.view.frameView('dense') },
  { keys: ['3'], label: 'frame both', run: () => app.view.frameView('both') },
  { keys: ['['], label: 'previous token', run: () => step(-1) },
  { keys: [']'], label: 'next token', run: () => step(1) },
  { keys: ['+', '='], label: 'twice the neurons per layer', run: () => scaleNeurons(2) },
  { keys: ['-'], label: 'half the neurons per layer', run: () => scaleNeurons(0.5) },
  {
    keys: ['e'],
    label: "expand / collapse the selected neuron's layer",
    run: () => app.selectedNeuron && app.toggleExpand(app.selectedNeuron.layerId),
  },
  {
    keys: ['f'],
    label: 'centre on the selected neuron',
    run: () => {
      const s = app.selectedNeuron;
      if (s) app.view.centerOn(s.side, app.nodeOf(s.side, s.layerId, s.index));
    },
  },
  { keys: ['t'], label: 'timing overlays on / off', run: () => toggle('timings') },
  { keys: ['l'], label: 'layer labels on / off', run: () => toggle('labels') },
  { keys: ['Escape'], label: 'close the inspector / help', run: () => closeAll() },
  { keys: ['?', 'h'], label: 'this help', run: () => shortcuts.toggleHelp() },
]);
function closeAll(): void {
  shortcuts.toggleHelp(false);
  app.clearSelection();
}

const api: SparsescopeApi = {
  ready: app.firstRender,
  backend: { kind: 'cpu', reason: detected.reason },
  timings: [],
  get frameStats() {
    return app.view.frameStats();
  },
  showResults,
  debug: {
    counts: () => app.counts(),
    nodeScreen: (side, layerId, index) => app.view.nodeScreen(side, app.nodeOf(side, layerId, index)),
    displayed: (layerId) => [...(app.selection.get(layerId) ?? [])],
    graphs: () => (app.results ? { sparse: app.results.sparseGraph, dense: app.results.denseGraph } : null),
    benchOrbit: (frames, detail) => app.view.benchOrbit(frames, detail),
  },
};
window.sparsescope = api;

async function detectWebGpu(): Promise<BackendStatus> {
  try {
    const ctx = await GpuContext.create(navigator.gpu);
    const adapter = ctx.adapterLabel;
    ctx.destroy(); // the engine opens its own device; this one only named the adapter
    return { kind: 'webgpu', adapter };
  } catch (err) {
    return { kind: 'cpu', reason: err instanceof GpuUnavailableError ? err.reason : String(err) };
  }
}

// Frame the networks clear of the control panel on wide screens.
app.view.reserveRightPx = window.innerWidth > 900 ? controls.gui.domElement.offsetWidth + 24 : 0;
reload();
void detectWebGpu().then((status) => {
  detected = status;
  applyBackend();
});
import('./ui/bench/mount').then((m) => m.mountBenchPanel());
