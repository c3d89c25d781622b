// A session owns the backend the app runs on: it picks WebGPU or the CPU (and says why), runs both paths
// of a model pair, and falls back to the CPU — keeping the model — when the GPU is lost mid-session.
// No DOM: the UI subscribes to status changes and renders them.

import type { BackendKind, ForwardResult, MeasureProgress, MeasureSummary, WeightPath } from '../contracts';
import { errorText, GpuContext, GpuUnavailableError } from '../gpu/context';
import { withGpuErrors } from '../gpu/limits';
import type { Backend, ModelPair } from './backend';
import { CpuBackend, type WorkerFactory } from './cpu/cpuBackend';
import { type MeasureOptions, measuredResult, measurePaths, measureSummary } from './measure';
import { WebGpuBackend } from './webgpu/webgpuBackend';

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

export class Session {
  private backend!: Backend;
  private ctx: GpuContext | null = null;
  private models: ModelPair | null = null;
  private lostReason: string | null = null;
  private status_!: SessionStatus;
  private disposed = false;
  /** How runs are measured (samples, budget); progress goes to the view while samples are collected. */
  measureOptions: MeasureOptions = {};
  onMeasureProgress: ((progress: MeasureProgress) => void) | undefined;

  private constructor(private readonly options: SessionOptions) {}

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

  /** The GPU context while on WebGPU (benchmarks share it). */
  get gpuContext(): GpuContext | null {
    return this.backend.kind === 'webgpu' ? this.ctx : null;
  }

  private async open(
    requested: 'webgpu' | 'cpu',
    event: 'start' | 'fallback' | 'switch',
    cpuReason?: string,
  ) {
    this.backend?.dispose();
    // Drop the old device first; its 'destroyed' loss is ours, not news (the callback checks identity).
    const old = this.ctx;
    this.ctx = null;
    old?.dispose();
    if (requested === 'webgpu') {
      try {
        const ctx: GpuContext = await GpuContext.create(this.options.gpu, {
          onLost: (reason) => {
            if (this.ctx !== ctx || this.disposed) return;
            this.lostReason = reason;
            this.options.onDeviceLost?.(reason);
          },
        });
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
    if (this.models) await this.prepareWithFallback(this.models, onProgress);
  }

  async load(models: ModelPair, onProgress?: (f: number, what: string) => void): Promise<void> {
    this.models = models;
    await this.prepareWithFallback(models, onProgress);
  }

  private async prepareWithFallback(models: ModelPair, onProgress?: (f: number, what: string) => void) {
    try {
      await this.guarded('uploading the model', () => this.backend.prepare(models, onProgress));
    } catch (err) {
      if (this.backend.kind !== 'webgpu') throw err;
      // A model too big for this GPU's limits, or a device that died while uploading: use the CPU.
      await this.open('cpu', 'fallback', `the GPU could not take this model: ${errorText(err)}`);
      await this.backend.prepare(models, onProgress);
    }
  }

  /** Forget the loaded model pair (a workload that does not run through the session is taking over). */
  unload(): void {
    this.models = null;
    this.backend.release();
  }

  /**
   * Run a prompt through both paths, never concurrently: a warm-up forward each, then dense and sparse
   * interleaved until enough samples (measure.ts).
   */
  async runPair(tokens: number[]): Promise<PairResult> {
    if (!this.models) throw new Error('load a model first');
    try {
      return await this.runOnce(tokens);
    } catch (err) {
      if (this.backend.kind !== 'webgpu' || !(await this.deviceLost())) throw err;
      const reason = `the GPU device was lost (${this.lostReason ?? errorText(err)}); switched to the CPU`;
      await this.open('cpu', 'fallback', reason);
      await this.backend.prepare(this.models);
      return this.runOnce(tokens);
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

  /** Test hook: destroy the GPU device as a driver reset would. */
  loseDeviceForTesting(): boolean {
    if (!this.ctx || this.backend.kind !== 'webgpu') return false;
    this.ctx.device.destroy();
    return true;
  }

  dispose(): void {
    this.disposed = true;
    this.backend?.dispose();
    this.ctx?.dispose();
  }
}
