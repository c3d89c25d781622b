// The app's controller: one session (backend) and one workload (model) at a time, every operation queued
// so they never overlap, progress and errors shown, and the user's settings kept across failures,
// backend switches and device loss.
import { browserCpuWorker } from '../engine/cpu/cpuBackend';
import { Session, type SessionStatus } from '../engine/session';
import { DeviceProvider } from '../gpu/deviceProvider';
import { argmax } from '../math/sampling';
import { el } from '../scene/overlays';
import { examplePrompts, TASKS } from '../train/tasks';
import type { App } from './app';
import { escapePrompt, unescapePrompt } from './appState';
import type { Controls, ControlValues } from './controls';
import { densityOf, STORED_DENSITY } from './controls';
import { KernelTuningControl } from './kernelTuning';
import type { ExampleRow, PredictionsPanel } from './predictions';
import { Gpt2Workload } from './workloads/gpt2';
import { createBuiltin, DEFAULT_INPUTS } from './workloads/registry';
import type { Workload, WorkloadResult } from './workloads/workload';

export class AppRunner {
  session: Session | null = null;
  workload: Workload | null = null;
  last: WorkloadResult | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly banner = el('div', 'app-error');
  private readonly notice = el('div', 'app-notice');
  private noticeTimer = 0;
  /** The kernel tuning's progress, Skip and Retune, in the status bar. */
  readonly tuning: KernelTuningControl;
  /** Extra workloads made from the user's files, by id. */
  readonly opened = new Map<string, Workload>();
  /** The page's one GPU device: the session's backend, the layered networks and the benchmark panel. */
  readonly devices = new DeviceProvider(navigator.gpu);
  onStatus: (status: SessionStatus) => void = () => {};
  /** A model is loading (fraction done, what), or null when it is on screen or failed. */
  onLoading: (progress: { fraction: number; what: string } | null) => void = () => {};
  private loading = false;
  /**
   * Kernels that fell back to slower ones on this backend (the CPU's WebAssembly kernels out of memory),
   * each said once by the backend and kept beside every later run's summary until the backend changes.
   */
  private fallbackNotes: string[] = [];
  /** Shows a result; the run counts as finished when the returned promise settles. */
  onResult: (result: WorkloadResult) => Promise<void> | void = () => {};

  constructor(
    private readonly app: App,
    private readonly controls: Controls,
    private readonly values: ControlValues,
    private readonly predictions: PredictionsPanel,
    root: HTMLElement,
  ) {
    this.banner.hidden = true;
    this.notice.hidden = true;
    this.banner.id = 'app-error';
    this.notice.id = 'app-notice';
    this.banner.addEventListener('click', () => {
      this.banner.hidden = true;
    });
    root.append(this.banner, this.notice);
    this.tuning = new KernelTuningControl(app.status.root);
    this.tuning.onRetune = () => void this.load();
    // Uncaptured GPU errors (a validation error, out of memory) from anything on the page's device.
    this.devices.onError((message) => this.showError(`GPU error: ${message}`));
  }

  /** Run `task` after everything queued before it; errors are shown, never thrown at the caller. */
  enqueue(what: string, task: () => Promise<void>): Promise<void> {
    const next = this.queue.then(async () => {
      this.banner.hidden = true;
      try {
        await task();
      } catch (err) {
        this.showError(`${what}: ${err instanceof Error ? err.message : String(err)}`);
      }
    });
    this.queue = next;
    return next;
  }

  showError(message: string): void {
    console.warn(`sparsescope: ${message}`);
    this.banner.textContent = message;
    this.banner.hidden = false;
    this.app.status.setNote('');
  }

  showNotice(message: string, ms = 8000): void {
    this.notice.textContent = message;
    this.notice.hidden = false;
    clearTimeout(this.noticeTimer);
    this.noticeTimer = window.setTimeout(() => {
      this.notice.hidden = true;
    }, ms);
  }

  private progress = (fraction: number, what: string) => {
    this.app.status.setNote(`${what} · ${Math.round(100 * Math.min(1, fraction))}%`);
    if (this.loading) this.onLoading({ fraction, what });
  };

  async start(): Promise<void> {
    await this.enqueue('starting', async () => {
      this.session = await Session.start({
        requested: this.values.backend,
        gpu: navigator.gpu,
        devices: this.devices,
        workerFactory: browserCpuWorker,
        onStatus: (status, event) => {
          this.fallbackNotes = [];
          this.onStatus(status);
          if (event === 'fallback') this.showNotice(`Now on the CPU: ${status.reason}`, 15000);
        },
        onDeviceLost: (reason) => {
          this.showNotice(`${reason} — switching to the CPU`, 15000);
          void this.run(); // the run notices the loss, falls back, and re-runs with the same settings
        },
      });
      this.onStatus(this.session.status);
    });
    await this.load();
  }

  /** (Re)load the chosen model, then run the prompt. */
  load(): Promise<void> {
    return this.enqueue(`loading ${this.values.model}`, async () => {
      const session = this.session;
      if (!session) throw new Error('no backend');
      const sameModel = this.workload?.id === this.values.model;
      this.workload?.dispose();
      this.workload = null;
      session.unload(); // the old pair's GPU buffers / worker weights go now, not at the next load
      const id = this.values.model;
      this.loading = true;
      this.onLoading({ fraction: 0, what: `loading ${id}…` });
      try {
        await this.loadNow(session, id, sameModel);
      } finally {
        this.loading = false;
        this.onLoading(null);
      }
    });
  }

  private async loadNow(session: Session, id: string, sameModel: boolean): Promise<void> {
    const workload = this.opened.get(id) ?? (await createBuiltin(id));
    this.controls.setPromptLabel(workload.inputLabel);
    // The input box holds a prompt for language models and an image range for layered networks:
    // keep what the user typed when it fits the new model, else start from the model's default.
    const isRange = /^(\d+(-\d+)?|all)$/.test(this.values.prompt.trim());
    if (isRange !== (workload.inputLabel !== 'prompt')) {
      this.values.prompt = DEFAULT_INPUTS[id] ?? escapePrompt(workload.defaultInput);
      this.controls.refresh();
    }
    // A density counts as asked for when the user chose one for this model; a newly opened checkpoint
    // that stores its zeros starts from its own sparsity.
    const asked = sameModel && this.values.density !== STORED_DENSITY;
    session.tuning = this.tuning.options();
    try {
      await workload.load(session, densityOf(this.values.density), this.progress, asked);
    } finally {
      this.tuning.show(session.tuned); // a failed load never leaves the control in its tuning state
    }
    this.workload = workload;
    const twin = workload instanceof Gpt2Workload ? workload.twin : null;
    this.controls.showStoredDensity(twin?.stored ?? null, twin?.density === 'exact');
    // After showStoredDensity (it makes a new control): hidden where the model's sparsity is fixed.
    this.controls.setDensityEnabled(workload.usesDensity);
    if (twin?.note) this.showNotice(twin.note);
    await this.runNow();
    if (workload instanceof Gpt2Workload && workload.id === 'tiny-pair')
      await this.showTrainedPairExtras(workload);
    else {
      this.predictions.setExamples([]);
      this.predictions.setAccuracy([], '');
    }
  }

  /** Run the current input through both paths again (prompt changed, backend switched, device lost). */
  run(): Promise<void> {
    return this.enqueue('running', () => this.runNow());
  }

  private async runNow(): Promise<void> {
    const { session, workload } = this;
    if (!session || !workload) return;
    this.app.status.setNote(
      `running both paths on ${session.status.kind === 'webgpu' ? 'the GPU' : 'the CPU'}…`,
    );
    this.app.headline.progress('warming up');
    session.onMeasureProgress = (p) => this.app.headline.progress(p);
    const result = await workload
      .run(session, unescapePrompt(this.values.prompt))
      .finally(() => this.app.headline.stopProgress());
    this.last = result;
    await this.onResult(result);
    this.predictions.setPredictions(result.predictions, result.predictionNote);
    this.fallbackNotes.push(...session.takeFallbackNotes());
    this.app.status.setNote([result.summary, ...this.fallbackNotes.map((n) => `note: ${n}`)].join(' · '));
  }

  switchBackend(): Promise<void> {
    return this.enqueue('switching backend', async () => {
      const session = this.session;
      if (!session) return;
      // Fresh tuning options (this switch's progress and Skip), and the status line for the new backend.
      session.tuning = this.tuning.options();
      try {
        await session.switchTo(this.values.backend, this.progress);
      } finally {
        this.tuning.show(session.tuned);
      }
      // switchTo re-prepared a language model on the new backend; a layered network picks up the
      // session's backend on its next run.
      await this.runNow();
    });
  }

  /** The trained pair's examples (which model gets each right) and held-out accuracy from training. */
  private async showTrainedPairExtras(w: Gpt2Workload): Promise<void> {
    const session = this.session;
    if (!session) return;
    // Twelve small forward passes on the session's backend (the loaded pair), last position's logits only.
    const rows: ExampleRow[] = [];
    for (const ex of examplePrompts(1)) {
      const ids = w.encode(ex.prompt);
      const right = async (path: 'dense' | 'sparse') => {
        const { logits } = await session.forward(ids, { path, activations: false, logits: 'last' });
        return w.tokenizer!.decode([argmax(logits)]) === ex.answer;
      };
      rows.push({
        title: TASKS.find((t) => t.name === ex.task)?.title ?? ex.task,
        prompt: escapePrompt(ex.prompt),
        answer: ex.answer,
        denseRight: await right('dense'),
        sparseRight: await right('sparse'),
      });
    }
    this.predictions.setExamples(rows);
    try {
      const metrics = (await (await fetch('models/tiny-pair/metrics.json')).json()) as TrainingMetrics;
      const score = (run: 'dense' | 'sparse', task: string) =>
        metrics.runs[run].heldOutScores.find((s) => s.task === task)?.accuracy ?? Number.NaN;
      this.predictions.setAccuracy(
        TASKS.map((t) => ({
          task: t.title,
          dense: score('dense', t.name),
          sparse: score('sparse', t.name),
          chance: t.chance,
        })),
        `${metrics.heldOut.perTask} held-out examples per task, measured by scripts/train.ts`,
      );
    } catch (err) {
      this.showError(`could not read the training metrics: ${String(err)}`);
    }
  }
}

interface TrainingMetrics {
  heldOut: { perTask: number };
  runs: Record<'dense' | 'sparse', { heldOutScores: { task: string; accuracy: number }[] }>;
}
