// App entry: the scene and its panels, driven by an AppRunner (session + workload). Everything the scene
// shows comes from a real forward pass on the session's backend (WebGPU, or the CPU with a stated reason).

import './style.css';
import type { LayerTiming } from './contracts';
import type { NetworkGraph } from './model/graph';
import type { FrameStats } from './scene/frameBudget';
import { benchOrbit, type OrbitBench } from './scene/sceneBench';
import type { Side } from './scene/sceneView';
import { App, type SceneResults } from './ui/app';
import { escapePrompt, initialValues } from './ui/appState';
import { CircuitMode } from './ui/circuitMode';
import { Controls } from './ui/controls';
import { reportCspViolations } from './ui/cspReport';
import { Shortcuts } from './ui/keys';
import { taskSplits } from './ui/nextTask';
import { PredictionsPanel } from './ui/predictions';
import { firstReady } from './ui/ready';
import { AppRunner } from './ui/runner';
import type { BackendStatus } from './ui/status';
import { NARROW_PX, SceneTools } from './ui/tools/sceneTools';
import { readAppParams } from './ui/urlParams';
import { BUILTIN_MODELS, createFromFiles } from './ui/workloads/registry';
import type { WorkloadResult } from './ui/workloads/workload';

export interface SparsescopeApi {
  /**
   * Resolves after the first render with data; rejects (with the message the page shows) when the first
   * model cannot load, so automation never waits forever.
   */
  ready: Promise<void>;
  backend: { kind: BackendStatus['kind']; reason?: string };
  timings: LayerTiming[];
  /** The last run's summary line and predictions. */
  last: WorkloadResult | null;
  readonly frameStats: FrameStats;
  showResults(results: SceneResults): Promise<void>;
  /** For tests and benchmarks: what is on screen, where a neuron is, the graphs drawn. */
  debug: {
    counts(): Record<Side, { edges: number; nodes: number }>;
    nodeScreen(side: Side, layerId: string, index: number): { x: number; y: number } | null;
    displayed(layerId: string): number[];
    graphs(): { sparse: NetworkGraph; dense: NetworkGraph } | null;
    benchOrbit(frames?: number, detail?: 'moving' | 'full'): Promise<OrbitBench>;
    /** Destroy the GPU device as a driver reset would (the app should fall back to the CPU). */
    loseDevice(): boolean;
    /** Camera position and orbit target (x, y, z, tx, ty, tz), rounded: tests check it is kept. */
    camera(): number[];
    /** Resolves when every queued load/run has finished. */
    idle(): Promise<void>;
    /** Full scene rebuilds so far (a run that lights the same neurons only recolours). */
    builds(): number;
    /** Times a long main-thread job yielded to the page so far (src/ui/nextTask.ts). */
    taskSplits(): number;
  };
}

declare global {
  interface Window {
    sparsescope: SparsescopeApi;
  }
}

performance.mark('main-start');
reportCspViolations();
const params = new URLSearchParams(location.search);
const values = initialValues(params);
const order: 'index' | 'barycenter' = params.get('order') === 'index' ? 'index' : 'barycenter';
const root = document.getElementById('app')!;
/** ?aa=1 / ?aa=0 forces multisampling on / off (default: off on a CPU rasterizer only). */
const aa = params.get('aa');
const app = new App(root, Object.assign(values, { order }), {
  antialias: aa === null ? undefined : aa === '1',
});
const models: Record<string, string> = { ...BUILTIN_MODELS };

async function showResults(results: SceneResults): Promise<void> {
  api.timings = results.timings;
  tools.beforeResults(results);
  await app.showResults(results);
  await tools.afterResults();
}

async function openFiles(files: File[]): Promise<void> {
  try {
    const { id, label, workload } = await createFromFiles(files);
    runner.opened.set(id, workload);
    models[label] = id;
    values.model = id;
    controls.setModels(models);
    await runner.load();
  } catch (err) {
    runner.showError(err instanceof Error ? err.message : String(err));
  }
}

const controls = new Controls(root, values, models, {
  onModelChange: () => void runner.load(),
  onPromptChange: () => void runner.run(),
  onBackendChange: () => void runner.switchBackend(),
  onOpenFiles: (files) => void openFiles(files),
  onViewChange: () => void app.rebuild(),
  onTokenChange: () => {
    tools.tokenChanged();
    app.recolor();
  },
  onFrame: (target) => app.view.frameView(target),
  onHelp: () => shortcuts.toggleHelp(),
});
const predictions = new PredictionsPanel(root, (prompt) => {
  values.prompt = prompt;
  controls.refresh();
  void runner.run();
});
const runner = new AppRunner(app, controls, values, predictions, root);
const tools = new SceneTools(root, app, runner, controls, values, params);
app.onError = (message) => runner.showError(message);
runner.onStatus = (status) => {
  api.backend = { kind: status.kind, reason: status.reason };
  values.backend = status.kind;
  app.headline.backend = status.kind === 'webgpu' ? 'WebGPU' : 'CPU';
  controls.refresh();
  app.status.setBackend({
    kind: status.kind,
    reason: status.reason,
    adapter: status.description.replace(/^WebGPU · /, ''),
  });
};
const circuits = new CircuitMode(root, {
  app,
  workload: () => runner.workload,
  lastScene: () => api.last?.scene ?? null,
  tokenCount: () => api.last?.scene.activations?.sparse?.tokens.length ?? 1,
  initialTask: params.get('circuit'),
});
runner.onResult = (result) => {
  api.last = result;
  circuits.onRun();
  return showResults(result.scene);
};

// Drop a checkpoint (model.safetensors + config.json) or Matrix Market layer files anywhere on the page.
root.addEventListener('dragover', (e) => e.preventDefault());
root.addEventListener('drop', (e) => {
  e.preventDefault();
  const files = [...(e.dataTransfer?.files ?? [])];
  if (files.length) void openFiles(files);
});

const step = (delta: number) => {
  const count = app.results?.activations?.sparse?.tokens.length ?? 1;
  values.token = Math.min(Math.max(values.token + delta, 0), count - 1);
  controls.refresh();
  tools.tokenChanged();
  app.recolor();
};
const scaleNeurons = (factor: number) => {
  values.perLayer = Math.min(256, Math.max(8, Math.round(values.perLayer * factor)));
  controls.refresh();
  void app.rebuild();
};
const toggle = (key: 'timings' | 'labels') => {
  values[key] = !values[key];
  controls.refresh();
  void app.rebuild(); // the overlays only
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
    run: () => void (app.selectedNeuron && app.toggleExpand(app.selectedNeuron.layerId)),
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
  ready: Promise.resolve(),
  backend: { kind: 'cpu', reason: 'starting…' },
  timings: [],
  last: null,
  get frameStats() {
    return app.view.frameStats();
  },
  showResults,
  debug: {
    counts: () => app.counts(),
    nodeScreen: (side, layerId, index) => app.view.nodeScreen(side, app.nodeOf(side, layerId, index)),
    displayed: (layerId) => [...(app.selection.get(layerId) ?? [])],
    graphs: () => (app.results ? { sparse: app.results.sparseGraph, dense: app.results.denseGraph } : null),
    benchOrbit: (frames, detail) => benchOrbit(app.view, frames ?? 120, detail ?? 'moving'),
    loseDevice: () => runner.session?.loseDeviceForTesting() ?? false,
    camera: () => {
      const { camera, controls: orbit } = app.view;
      return [...camera.position.toArray(), ...orbit.target.toArray()].map((v) => Number(v.toFixed(4)));
    },
    builds: () => app.builds,
    taskSplits,
    idle: async () => {
      await runner.enqueue('idle', async () => {});
      await app.settled;
    },
  },
};
window.sparsescope = api;

// Frame the networks clear of the control panel on wide screens.
app.view.reserveRightPx = window.innerWidth > 900 ? controls.gui.domElement.offsetWidth + 24 : 0;
// …and clear of the predictions panel when a language model shows it.
new ResizeObserver(() => {
  // On a phone: a margin on both sides, so the titles (wider than the networks) stay on screen.
  const narrow = window.innerWidth <= NARROW_PX;
  if (narrow) app.view.reserveRightPx = 0.1 * window.innerWidth;
  const width = narrow
    ? 0.1 * window.innerWidth
    : predictions.root.hidden || window.innerWidth <= 900
      ? 0
      : predictions.root.offsetWidth + 24;
  if (width !== app.view.reserveLeftPx) {
    app.view.reserveLeftPx = width;
    app.view.frameView(app.view.framed);
  }
}).observe(predictions.root);
if (!params.has('prompt') && !params.has('input'))
  values.prompt = escapePrompt(values.prompt.replace(/\\n/g, '\n'));
// Bad URL parameters are reported as an unknown model is (the defaults are used); `ready` settles either way.
const urlErrors = readAppParams(params).errors;
api.ready = firstReady(app.firstRender, runner, urlErrors);
import('./ui/bench/mount').then((m) =>
  m.mountBenchPanel(document.body, {
    modelLayers: () => runner.workload?.benchLayers() ?? null,
    devices: runner.devices,
  }),
);
