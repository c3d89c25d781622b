// Runs one sweep in the page and returns the report: opens (or reuses) the panel's own WebGPU device,
// compiles the kernels first and times that separately, measures the copy-bandwidth roofline, then runs
// the committed sweep (runKernelSweep, or runCpuSweep for the CPU backend). Everything in one run, on one
// adapter, so every speedup is a ratio of two numbers taken together.
import { cpuKernelLabel, runCpuSweep } from '../../bench/cpuSweep';
import { runKernelSweep, type SweepConfig, type SweepProgress } from '../../bench/kernelSweep';
import { BENCH_SCHEMA } from '../../bench/report';
import { errorText, GpuContext, GpuUnavailableError } from '../../gpu/context';
import { measureCopyBandwidth } from '../../gpu/kernels/copy';
import { DenseMatmul } from '../../gpu/kernels/matmul';
import { CsrSpmm } from '../../gpu/kernels/spmmCsr';
import { type CompileTime, caveatsFor, type PanelEnvironment, type PanelReport } from './caveats';
import type { BackendChoice } from './params';

export interface RunProgress extends SweepProgress {
  phase: 'adapter' | 'compile' | 'roofline' | 'sweep';
}

/** One device for the panel, kept between runs so pipelines compile once per page. */
export class BenchDevice {
  private ctx: Promise<GpuContext> | null = null;
  private compiled = false;
  /** Uncaptured GPU errors since the last take(); a sweep with any of them is reported as failed. */
  private errors: string[] = [];

  async open(): Promise<GpuContext> {
    if (this.ctx) {
      const ctx = await this.ctx;
      if (!ctx.isLost) return ctx;
      this.ctx = null;
      this.compiled = false;
    }
    this.ctx = GpuContext.create(navigator.gpu, {
      onError: (message) => this.errors.push(message),
    });
    this.ctx.catch(() => {
      this.ctx = null; // let a later run try again
    });
    return this.ctx;
  }

  /**
   * Time DenseMatmul.create and CsrSpmm.create. The kernels are disposed at once; the device's pipeline
   * cache keeps their pipelines for the sweep's own kernels.
   */
  async compile(ctx: GpuContext): Promise<CompileTime> {
    const cached = this.compiled;
    const t0 = performance.now();
    (await DenseMatmul.create(ctx)).dispose();
    const t1 = performance.now();
    (await CsrSpmm.create(ctx)).dispose();
    const t2 = performance.now();
    this.compiled = true;
    return { denseMs: t1 - t0, sparseMs: t2 - t1, cached };
  }

  takeErrors(): string[] {
    const out = this.errors;
    this.errors = [];
    return out;
  }
}

function checkAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new DOMException('benchmark cancelled', 'AbortError');
}

export async function runBench(
  device: BenchDevice,
  backend: BackendChoice,
  config: SweepConfig,
  onProgress: (p: RunProgress) => void,
  signal?: AbortSignal,
): Promise<PanelReport> {
  const start = performance.now();
  const date = new Date().toISOString();
  const runtime = navigator.userAgent;
  let fallbackReason: string | undefined;
  let ctx: GpuContext | null = null;
  if (backend !== 'cpu') {
    onProgress({ phase: 'adapter', done: 0, total: 1, current: 'opening the WebGPU adapter' });
    try {
      ctx = await device.open();
    } catch (err) {
      if (backend === 'webgpu') throw err;
      fallbackReason = err instanceof GpuUnavailableError ? err.reason : errorText(err);
    }
  }
  let env: PanelEnvironment;
  let records: PanelReport['records'];
  if (ctx) {
    checkAborted(signal);
    onProgress({ phase: 'compile', done: 0, total: 1, current: 'compiling the dense and CSR kernels' });
    const compile = await device.compile(ctx);
    checkAborted(signal);
    onProgress({ phase: 'roofline', done: 0, total: 1, current: 'measuring copy bandwidth (the roofline)' });
    const copy = await measureCopyBandwidth(ctx);
    checkAborted(signal);
    records = await runKernelSweep(ctx, config, (p) => onProgress({ ...p, phase: 'sweep' }), signal);
    const errors = device.takeErrors();
    if (errors.length > 0) throw new Error(`GPU error during the sweep: ${errors[0]}`);
    if (ctx.isLost) throw new Error(ctx.lostMessage ?? 'GPU device lost during the sweep');
    env = {
      runtime,
      backend: 'webgpu',
      adapter: ctx.adapterLabel,
      adapterInfo: ctx.info,
      features: [...ctx.device.features].sort(),
      limits: ctx.limitsRecord(),
      timer: records[0]?.timer ?? copy.timer,
      copyGbps: copy.gbps,
      date,
      compile,
    };
  } else {
    const cpuConfig = { ...config, naive: false };
    records = await runCpuSweep(cpuConfig, (p) => onProgress({ ...p, phase: 'sweep' }), signal);
    config = cpuConfig;
    env = {
      runtime,
      backend: 'cpu',
      adapter: records[0]?.adapter ?? cpuKernelLabel(),
      timer: 'wall',
      date,
      fallbackReason: fallbackReason ?? (backend === 'cpu' ? 'CPU chosen in the panel' : undefined),
    };
  }
  env.totalMs = performance.now() - start;
  return {
    schema: BENCH_SCHEMA,
    environment: env,
    sweep: config,
    records,
    caveats: caveatsFor(env, records),
  };
}
