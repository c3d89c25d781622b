// Runs one sweep in the page and returns the panel's report: the page's shared GPU device (the same
// DeviceProvider as the app's session), the shared bench runner (src/bench/runBench.ts: compile time,
// copy-bandwidth roofline, then the sweep; or the CPU sweep), and the panel's own environment fields.
// A sweep during which the device reported an uncaptured error, or was lost, is reported as failed.

import type { SweepConfig, SweepProgress } from '../../bench/kernelSweep';
import { BENCH_SCHEMA } from '../../bench/report';
import { runBench } from '../../bench/runBench';
import { errorText, type GpuContext, GpuUnavailableError } from '../../gpu/context';
import type { DeviceProvider } from '../../gpu/deviceProvider';
import { pageTuning } from '../kernelTuning';
import { caveatsFor, type PanelEnvironment, type PanelReport } from './caveats';
import type { BackendChoice } from './params';

export interface RunProgress extends SweepProgress {
  phase: 'adapter' | 'compile' | 'roofline' | 'sweep';
}

/** The panel's side of the shared device: which device it already compiled the kernels on. */
export class BenchDevice {
  private compiledOn: GpuContext | null = null;

  constructor(readonly devices: DeviceProvider) {}

  /** Whether the kernels were compiled on `ctx` before (then the pipeline cache answers). */
  compiledBefore(ctx: GpuContext): boolean {
    return this.compiledOn === ctx;
  }

  markCompiled(ctx: GpuContext): void {
    this.compiledOn = ctx;
  }
}

export async function runPanelBench(
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
      ctx = await device.devices.open();
    } catch (err) {
      if (backend === 'webgpu') throw err;
      fallbackReason = err instanceof GpuUnavailableError ? err.reason : errorText(err);
    }
  }
  let env: PanelEnvironment;
  let records: PanelReport['records'];
  if (ctx) {
    const errors: string[] = [];
    const stopListening = device.devices.onError((message) => errors.push(message));
    try {
      const cached = device.compiledBefore(ctx);
      // The sweep's kernels: tuned on this adapter (cached in localStorage, as the model's are), else defaults.
      const tuned = { ...config, tune: { ...pageTuning(), signal } };
      const run = await runBench({ kind: 'webgpu', ctx }, tuned, { onProgress, signal, timeCompile: true });
      device.markCompiled(ctx);
      if (errors.length > 0) throw new Error(`GPU error during the sweep: ${errors[0]}`);
      if (ctx.isLost) throw new Error(ctx.lostMessage ?? 'GPU device lost during the sweep');
      records = run.records;
      const compile = run.compile && { ...run.compile, cached };
      env = { runtime, ...run.environment, date, compile };
    } finally {
      stopListening();
    }
  } else {
    config = { ...config, naive: false };
    const run = await runBench({ kind: 'cpu' }, config, { onProgress, signal });
    records = run.records;
    env = {
      runtime,
      ...run.environment,
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
