// A session owns the backend the app runs on: it picks WebGPU or the CPU (and says why), runs both paths
// of whatever is loaded (a GPT-2 model pair or a layered network), and falls back to the CPU — keeping
// the model — when the GPU is lost mid-session. The device comes from a DeviceProvider the page shares
// (the benchmark panel uses the same one). No DOM: the UI subscribes to status changes and renders them.
import type { BackendKind, ForwardResult, MeasureProgress, MeasureSummary, WeightPath } from '../contracts';
import type { PreparedTuning } from '../gpu/autotune/prepare';
import { errorText, type GpuContext, GpuUnavailableError } from '../gpu/context';
import { DeviceProvider } from '../gpu/deviceProvider';
import { withGpuErrors } from '../gpu/limits';
import type { CsrMatrix } from '../math/csr';
import type { Backend, BackendForwardOptions, DnnModel, DnnRun, ModelPair } from './backend';
import { CpuBackend, type WorkerFactory } from './cpu/cpuBackend';
import { type MeasureOptions, measuredResult, measurePaths, measureSummary } from './measure';
import { type BackendTuning, WebGpuBackend } from './webgpu/webgpuBackend';

export interface SessionStatus {
  kind: BackendKind;
  /** Why the app is on the CPU, in plain words (absent on WebGPU). */
  reason?: string;
  description: string;
  timer: 'gpu-timestamp' | 'wall';
}

export interface SessionOptions {
  /** 'cpu' forces the CPU (a control, or ?backend=cpu). */
  requested: 'webgpu' | 'cpu';
  gpu: GPU | undefined;
  /** The page's shared device; without one the session opens (and closes) its own from `gpu`. */
  devices?: DeviceProvider;
  workerFactory?: WorkerFactory;
  onStatus?: (status: SessionStatus, event: 'start' | 'fallback' | 'switch') => void;
  /** The GPU device was lost (driver reset, tab backgrounded too long, a test hook); the next run falls back. */
  onDeviceLost?: (reason: string) => void;
}

export interface PairResult {
  /** Timings: medians over interleaved warmed-up samples (measure.ts), with p10, p90, samples. */
  dense: ForwardResult;
  sparse: ForwardResult;
  measure: MeasureSummary;
}

export interface DnnPairResult {
  sparse: DnnRun;
  dense: DnnRun;
}

/** What the session re-prepares on a new backend (a switch or a fallback). */
type Loaded = { kind: 'pair'; models: ModelPair } | { kind: 'dnn'; model: DnnModel };

export class Session {
  private backend!: Backend;
  private ctx: GpuContext | null = null;
  private loaded: Loaded | null = null;
  private lostReason: string | null = null;
  private status_!: SessionStatus;
  private disposed = false;
  private readonly devices: DeviceProvider;
  /** Whether the provider is this session's alone (then leaving WebGPU closes the device). */
  private readonly ownsDevices: boolean;
  private readonly stopListening: () => void;
  /** How runs are measured (samples, budget); progress goes to the view while samples are collected. */
  measureOptions: MeasureOptions = {};
  /** How a WebGPU backend chooses its linear kernels at the next load (src/gpu/autotune); unset: defaults. */
  tuning: BackendTuning | undefined;
  onMeasureProgress: ((progress: MeasureProgress) => void) | undefined;

  private constructor(private readonly options: SessionOptions) {
    this.ownsDevices = !options.devices;
    this.devices = options.devices ?? new DeviceProvider(options.gpu);
    this.stopListening = this.devices.onLost((reason, ctx) => {
      if (this.ctx !== ctx || this.disposed) return;
      this.lostReason = reason;
      this.options.onDeviceLost?.(reason);
    });
  }

  static async start(options: SessionOptions): Promise<Session> {
    const session = new Session(options);
    await session.open(options.requested, 'start');
    return session;
  }

  get status(): SessionStatus {
    return this.status_;
  }

  get current(): Backend {
    return this.backend;
  }

  /** The last load's kernel tuning on WebGPU (what was tuned, cached, left default), else null. */
  get tuned(): PreparedTuning | null {
    return this.backend instanceof WebGpuBackend ? this.backend.tuned : null;
  }

  private async open(
    requested: 'webgpu' | 'cpu',
    event: 'start' | 'fallback' | 'switch',
    cpuReason?: string,
  ) {
    this.backend?.dispose();
    this.ctx = null;
    // A device of our own goes now (its loss is ours, not news); a shared one stays for the others.
    if (this.ownsDevices) this.devices.close();
    if (requested === 'webgpu') {
      try {
        const ctx = await this.devices.open();
        this.ctx = ctx;
        this.lostReason = null;
        const backend = new WebGpuBackend(ctx);
        this.backend = backend;
        this.setStatus(
          { kind: 'webgpu', description: backend.description, timer: backend.timerSource },
          event,
        );
        return;
      } catch (err) {
        cpuReason =
          err instanceof GpuUnavailableError ? err.reason : `WebGPU failed to start: ${errorText(err)}`;
        event = event === 'start' ? 'start' : 'fallback';
      }
    }
    const backend = new CpuBackend(cpuReason ?? 'CPU chosen in the controls', this.options.workerFactory);
    this.backend = backend;
    this.setStatus(
      { kind: 'cpu', reason: backend.reason, description: backend.description, timer: 'wall' },
      event,
    );
  }

  private setStatus(status: SessionStatus, event: 'start' | 'fallback' | 'switch') {
    this.status_ = status;
    this.options.onStatus?.(status, event);
  }

  /** Switch backends on request; the loaded model is re-prepared on the new one. */
  async switchTo(kind: 'webgpu' | 'cpu', onProgress?: (f: number, what: string) => void): Promise<void> {
    await this.open(kind, 'switch');
    if (this.loaded) await this.prepareWithFallback(onProgress);
  }

  /** Load a GPT-2 model pair (both paths). */
  async load(models: ModelPair, onProgress?: (f: number, what: string) => void): Promise<void> {
    this.loaded = { kind: 'pair', models };
    await this.prepareWithFallback(onProgress);
  }

  /** Load a layered network (its sparse and dense paths). */
  async loadDnn(model: DnnModel): Promise<void> {
    this.loaded = { kind: 'dnn', model };
    await this.prepareWithFallback();
  }

  private prepareLoaded(onProgress?: (f: number, what: string) => void): Promise<void> {
    const loaded = this.loaded;
    if (!loaded) return Promise.resolve();
    if (this.backend instanceof WebGpuBackend && this.tuning) this.backend.tuning = this.tuning;
    return loaded.kind === 'pair'
      ? this.backend.prepare(loaded.models, onProgress)
      : this.backend.prepareDnn(loaded.model);
  }

  private async prepareWithFallback(onProgress?: (f: number, what: string) => void) {
    try {
      await this.guarded('uploading the model', () => this.prepareLoaded(onProgress));
    } catch (err) {
      if (this.backend.kind !== 'webgpu') throw err;
      // A model too big for this GPU's limits, or a device that died while uploading: use the CPU.
      await this.open('cpu', 'fallback', `the GPU could not take this model: ${errorText(err)}`);
      await this.prepareLoaded(onProgress);
    }
  }

  /** Forget the loaded model (the next workload is taking over). */
  unload(): void {
    this.loaded = null;
    this.backend.release();
  }

  /**
   * Run a prompt through both paths, never concurrently: a warm-up forward each, then dense and sparse
   * interleaved until enough samples (measure.ts).
   */
  runPair(tokens: number[]): Promise<PairResult> {
    return this.withFallback(() => this.runOnce(tokens));
  }

  /** One forward pass of one path of the loaded pair (e.g. scoring an example), with the same fallback. */
  forward(tokens: number[], options: BackendForwardOptions): Promise<ForwardResult> {
    return this.withFallback(() => this.backend.forward(tokens, options));
  }

  /** One path of the layered network over a batch of images, with the same fallback. */
  runDnn(images: CsrMatrix, path: WeightPath): Promise<DnnRun> {
    // Inside error scopes: a validation or out-of-memory error fails the run (error banner), no numbers.
    return this.withFallback(() => this.guarded(`the ${path} pass`, () => this.backend.runDnn(images, path)));
  }

  /** Run a batch of images through the layered network's sparse path, then its dense path. */
  runDnnPair(images: CsrMatrix): Promise<DnnPairResult> {
    return this.withFallback(async () => {
      const sparse = await this.backend.runDnn(images, 'sparse');
      const dense = await this.backend.runDnn(images, 'dense');
      return { sparse, dense };
    });
  }

  /** Runs `run` on the current backend; if the GPU was lost meanwhile, re-prepares on the CPU and runs again. */
  private async withFallback<T>(run: () => Promise<T>): Promise<T> {
    if (!this.loaded) throw new Error('load a model first');
    try {
      return await run();
    } catch (err) {
      if (this.backend.kind !== 'webgpu' || !(await this.deviceLost())) throw err;
      const reason = `the GPU device was lost (${this.lostReason ?? errorText(err)}); switched to the CPU`;
      await this.open('cpu', 'fallback', reason);
      await this.prepareLoaded();
      return run();
    }
  }

  private async runOnce(tokens: number[]): Promise<PairResult> {
    const m = await measurePaths(
      ['dense', 'sparse'],
      (path: WeightPath, repeats) =>
        this.guarded(`the ${path} forward`, () => this.backend.forward(tokens, { path, repeats })),
      { ...this.measureOptions, onProgress: this.onMeasureProgress },
    );
    return {
      dense: measuredResult(m, 'dense'),
      sparse: measuredResult(m, 'sparse'),
      measure: measureSummary(m),
    };
  }

  /** GPU work inside error scopes: any validation or out-of-memory error fails it (GpuJobError). */
  private guarded<T>(what: string, job: () => Promise<T>): Promise<T> {
    const ctx = this.backend.kind === 'webgpu' ? this.ctx : null;
    return ctx && !ctx.isLost ? withGpuErrors(ctx.device, what, job) : job();
  }

  /** Whether the device is lost; a loss reported just after a failed call is given a moment to arrive. */
  private async deviceLost(): Promise<boolean> {
    const ctx = this.ctx;
    if (!ctx) return false;
    if (ctx.isLost || this.lostReason) return true;
    const timeout = new Promise<false>((resolve) => setTimeout(() => resolve(false), 250));
    return Promise.race([ctx.device.lost.then(() => true), timeout]);
  }

  /** Kernels that fell back to slower ones since the last call (the backend says each once). */
  takeFallbackNotes(): string[] {
    return this.backend.takeFallbackNotes?.() ?? [];
  }

  /** Test hook: destroy the GPU device as a driver reset would. */
  loseDeviceForTesting(): boolean {
    if (!this.ctx || this.backend.kind !== 'webgpu') return false;
    this.ctx.device.destroy();
    return true;
  }

  dispose(): void {
    this.disposed = true;
    this.stopListening();
    this.backend?.dispose();
    if (this.ownsDevices) this.devices.close();
  }
}
