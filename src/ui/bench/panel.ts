// The benchmark panel: a toggle button at the screen edge opens a large overlay with the sweep form,
// progress and cancel, caveats, three charts, the results table, the environment, and export (JSON / CSV
// download, copy, open a saved JSON). Results persist in localStorage. Every finished run is published as
// window.sparsescope.bench and a 'sparsescope:bench-done' event; a failure as 'sparsescope:bench-error'.
import type { Chart } from 'chart.js';
import { DeviceProvider } from '../../gpu/deviceProvider';
import { publishError, publishReport, publishRunning } from './automation';
import type { PanelReport } from './caveats';
import { shapeCharts, shapesOf } from './chartData';
import { type ChartKind, drawCharts } from './charts';
import { button, h } from './dom';
import { SweepForm } from './form';
import {
  type BenchSettings,
  DEFAULT_SETTINGS,
  type ModelLayers,
  settingsToParams,
  toSweepConfig,
} from './params';
import { type KeyValueStore, loadState, saveState } from './persist';
import { environmentBlock, resultsTable } from './resultsView';
import { BenchDevice, type RunProgress, runPanelBench } from './runner';
import { errorMessage, ResultsToolbar } from './toolbar';

export interface BenchPanelOptions {
  /** The loaded model's layers, when the app has one ("this model's layers", "benchmark this model"). */
  modelLayers?: () => ModelLayers | null;
  /** Where results persist (default localStorage; null to keep nothing). */
  storage?: KeyValueStore | null;
  /** The page's shared GPU device (the app's session uses the same one); default: one of the panel's own. */
  devices?: DeviceProvider;
}

export class BenchPanel {
  readonly toggle: HTMLButtonElement;
  readonly overlay = h('div', 'bench-overlay');
  private readonly form: SweepForm;
  private readonly side = h('aside', 'bench-side');
  private readonly envSlot = h('div', 'bench-env-slot');
  private readonly progress = h('div', 'bench-progress');
  private readonly bar = h('progress', 'bench-bar');
  private readonly progressText = h('span', 'bench-progress-text');
  private readonly status = h('div', 'bench-status');
  private readonly caveats = h('ul', 'bench-caveats');
  private readonly toolbar: ResultsToolbar;
  private readonly crossovers = h('ul', 'bench-crossovers');
  private readonly chartsBox = h('div', 'bench-charts');
  private readonly tableBox = h('div', 'bench-table-wrap');
  private readonly device: BenchDevice;
  private readonly storage: KeyValueStore | null;
  private modelLayers: () => ModelLayers | null;
  private report: PanelReport | null = null;
  private charts: Chart<'line', { x: number; y: number }[]>[] = [];
  private chartsStale = true;
  private abort: AbortController | null = null;

  constructor(host: HTMLElement, options: BenchPanelOptions = {}) {
    this.modelLayers = options.modelLayers ?? (() => null);
    this.device = new BenchDevice(options.devices ?? new DeviceProvider(navigator.gpu));
    this.storage = options.storage === undefined ? safeLocalStorage() : options.storage;
    const saved = loadState(this.storage);
    this.form = new SweepForm(
      saved?.settings ?? DEFAULT_SETTINGS,
      {
        onRun: (s) => void this.run(s),
        onCancel: () => this.abort?.abort(),
        onChange: (s) => this.persist(s),
      },
      () => this.modelLayers(),
    );

    this.toggle = button('Benchmark', 'bench-toggle', () => (this.isOpen ? this.close() : this.open()));
    this.toggle.title = 'Benchmark dense vs CSR kernels on this adapter';
    this.toggle.setAttribute('aria-expanded', 'false');
    this.overlay.hidden = true;
    this.overlay.setAttribute('role', 'dialog');
    this.overlay.setAttribute('aria-label', 'Benchmark: sparse vs dense kernels');
    this.overlay.addEventListener('keydown', (e) => {
      e.stopPropagation(); // the app's single-key shortcuts must not fire while the panel has focus
      if (e.key === 'Escape') this.close();
    });
    this.overlay.addEventListener('click', (e) => e.target === this.overlay && this.close());

    const panel = h('div', 'bench-panel');
    const header = h('header', 'bench-header');
    header.append(
      h('h2', '', 'Benchmark · dense GEMM vs CSR SpMM'),
      h('span', 'bench-subtitle', 'on this browser’s adapter, in one run'),
      button('×', 'bench-close', () => this.close()),
    );
    this.progress.append(this.bar, this.progressText);
    this.progress.hidden = true;
    this.side.append(this.form.root, this.envSlot);
    this.toolbar = new ResultsToolbar({
      report: () => this.report,
      status: (text, error) => this.setStatus(text, error),
      opened: (report, note) => this.show(report, note),
      shapeChanged: () => this.drawCharts(),
    });
    const main = h('section', 'bench-main');
    main.append(
      this.progress,
      this.status,
      this.caveats,
      this.toolbar.root,
      this.crossovers,
      this.chartsBox,
      this.tableBox,
    );
    const body = h('div', 'bench-body');
    body.append(this.side, main);
    panel.append(header, body);
    this.overlay.append(panel);
    host.append(this.toggle, this.overlay);
    if (saved?.report) this.show(saved.report, 'Restored from the last run in this browser.');
    else this.showEmpty();
  }

  get isOpen(): boolean {
    return !this.overlay.hidden;
  }

  get settings(): BenchSettings {
    return this.form.get();
  }

  open(): void {
    this.overlay.hidden = false;
    this.toggle.setAttribute('aria-expanded', 'true');
    this.form.refresh();
    if (this.chartsStale) this.drawCharts();
  }

  close(): void {
    this.overlay.hidden = true;
    this.toggle.setAttribute('aria-expanded', 'false');
  }

  /** Fills the form (and saves the settings) without running. */
  prefill(settings: BenchSettings): void {
    this.form.set(settings);
    this.persist(settings);
  }

  setModelLayers(provider: () => ModelLayers | null): void {
    this.modelLayers = provider;
    this.form.refresh();
  }

  /** Runs a sweep; resolves with the report, or null when it failed or was cancelled (the panel says why). */
  async run(settings: BenchSettings): Promise<PanelReport | null> {
    if (this.abort) return null;
    this.form.set(settings);
    let config: ReturnType<typeof toSweepConfig>;
    try {
      config = toSweepConfig(settings, this.modelLayers());
    } catch (err) {
      this.fail(errorMessage(err));
      return null;
    }
    this.persist(settings);
    const abort = new AbortController();
    this.abort = abort;
    this.form.setRunning(true);
    this.progress.hidden = false;
    this.setStatus('');
    publishRunning(true);
    try {
      const report = await runPanelBench(
        this.device,
        settings.backend,
        config,
        (p) => this.onProgress(p),
        abort.signal,
      );
      report.environment.command = `${location.origin}${location.pathname}?${settingsToParams(settings)}`;
      this.persist(settings, report);
      this.show(
        report,
        `Finished ${report.records.length} points in ${((report.environment.totalMs ?? 0) / 1000).toFixed(1)} s.`,
      );
      publishReport(report);
      return report;
    } catch (err) {
      if (err instanceof DOMException && err.name === 'AbortError') {
        this.setStatus(`Cancelled at ${this.progressText.textContent}. The previous results are kept.`);
      } else {
        this.fail(`The benchmark failed: ${errorMessage(err)}`);
      }
      return null;
    } finally {
      this.abort = null;
      publishRunning(false);
      this.progress.hidden = true;
      this.form.setRunning(false);
    }
  }

  /** Shows an error and signals it to automation ('sparsescope:bench-error', detail: { message }). */
  fail(text: string): void {
    this.setStatus(text, true);
    publishError(text);
  }

  private onProgress(p: RunProgress): void {
    if (p.phase === 'sweep') {
      this.bar.max = Math.max(1, p.total);
      this.bar.value = p.done;
      this.progressText.textContent = `${p.done} / ${p.total} points · ${p.current}`;
    } else {
      this.bar.removeAttribute('value'); // indeterminate while the adapter opens and kernels compile
      this.progressText.textContent = `${p.current}…`;
    }
  }

  private setStatus(text: string, error = false): void {
    this.status.textContent = text;
    this.status.hidden = text === '';
    this.status.classList.toggle('bench-error-text', error);
  }

  private persist(settings: BenchSettings, report = this.report): void {
    const problem = saveState(this.storage, { settings, report });
    if (problem && this.storage) this.setStatus(problem, true);
  }

  private showEmpty(): void {
    this.toolbar.root.hidden = true;
    this.setStatus(
      'Choose a sweep and press Run. The kernels compile first (timed apart); then each point warms up ' +
        'and times repeated dispatches.',
    );
  }

  private show(report: PanelReport, note: string): void {
    this.report = report;
    this.setStatus(note);
    this.caveats.replaceChildren(...report.caveats.map((c) => h('li', '', c)));
    this.envSlot.replaceChildren(environmentBlock(report));
    this.toolbar.setShapes(shapesOf(report.records));
    this.toolbar.root.hidden = false;
    this.chartsStale = true;
    if (this.isOpen) this.drawCharts();
  }

  private drawCharts(): void {
    for (const c of this.charts) c.destroy();
    this.charts = [];
    const report = this.report;
    if (!report) return;
    const shape = this.toolbar.shape || shapesOf(report.records)[0] || '';
    const data = shapeCharts(report.records, shape);
    this.tableBox.replaceChildren(resultsTable(report, shape));
    this.crossovers.replaceChildren(
      ...data.crossovers.map((c) => h('li', '', `batch ${c.batch}: ${c.note}`)),
    );
    const canvases: Record<ChartKind, HTMLCanvasElement> = {
      speedup: h('canvas'),
      time: h('canvas'),
      bandwidth: h('canvas'),
    };
    const figures = (['speedup', 'time', 'bandwidth'] as const).map((kind) => {
      const figure = h('figure', 'bench-chart');
      figure.dataset.chart = kind;
      figure.append(canvases[kind]);
      return figure;
    });
    this.chartsBox.replaceChildren(...figures);
    this.charts = drawCharts(canvases, data, report.environment.copyGbps);
    this.chartsStale = false;
  }
}

function safeLocalStorage(): KeyValueStore | null {
  try {
    return window.localStorage;
  } catch {
    return null; // storage disabled for this origin
  }
}
