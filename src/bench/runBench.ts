// One benchmark run, shared by `sparsescope bench` and the app's benchmark panel: on WebGPU, optionally
// the kernels' compile time first, then the copy-bandwidth roofline, then the committed sweep (plus any
// square GEMMs); on the CPU, the same sweep on the CPU kernels. Everything in one run on one adapter, so
// every speedup is a ratio of two numbers taken together. The callers add what only they know
// (runtime, command line, fallback reason) to the environment this returns.
import type { GpuContext } from '../gpu/context';
import { measureCopyBandwidth } from '../gpu/kernels/copy';
import { DenseMatmul } from '../gpu/kernels/matmul';
import { CsrSpmm } from '../gpu/kernels/spmmCsr';
import { cpuKernelLabel, runCpuSweep } from './cpuSweep';
import { type BenchRecord, runKernelSweep, type SweepConfig, type SweepProgress } from './kernelSweep';
import type { BenchEnvironment } from './report';

export type BenchTarget = { kind: 'webgpu'; ctx: GpuContext } | { kind: 'cpu' };

export interface BenchProgress extends SweepProgress {
  phase: 'compile' | 'roofline' | 'sweep';
}

export interface BenchRunOptions {
  onProgress?: (p: BenchProgress) => void;
  signal?: AbortSignal;
  /** Square GEMM sizes (N = K = batch) timed after the sweep, dense only. */
  gemmSizes?: number[];
  /** Time DenseMatmul.create and CsrSpmm.create first (the pipeline cache keeps them for the sweep). */
  timeCompile?: boolean;
}

export interface BenchRun {
  records: BenchRecord[];
  /** What was measured where (no runtime, date or command: the caller knows those). */
  environment: Omit<BenchEnvironment, 'runtime' | 'date' | 'command'>;
  /** Wall ms of the kernels' compilation, when asked for. */
  compile?: { denseMs: number; sparseMs: number };
}

function checkAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new DOMException('benchmark cancelled', 'AbortError');
}

export async function runBench(
  target: BenchTarget,
  config: SweepConfig,
  options: BenchRunOptions = {},
): Promise<BenchRun> {
  const { onProgress, signal } = options;
  const sweepProgress = (p: SweepProgress) => onProgress?.({ ...p, phase: 'sweep' });
  if (target.kind === 'cpu') {
    const records = await runCpuSweep(config, sweepProgress, signal);
    return {
      records,
      environment: {
        backend: 'cpu',
        adapter: records[0]?.adapter ?? cpuKernelLabel(),
        timer: 'wall',
      },
    };
  }
  const { ctx } = target;
  let compile: BenchRun['compile'];
  if (options.timeCompile) {
    checkAborted(signal);
    onProgress?.({ phase: 'compile', done: 0, total: 1, current: 'compiling the dense and CSR kernels' });
    const t0 = performance.now();
    (await DenseMatmul.create(ctx)).dispose(); // the pipeline cache keeps its pipelines for the sweep
    const t1 = performance.now();
    (await CsrSpmm.create(ctx)).dispose();
    compile = { denseMs: t1 - t0, sparseMs: performance.now() - t1 };
  }
  checkAborted(signal);
  onProgress?.({ phase: 'roofline', done: 0, total: 1, current: 'measuring copy bandwidth (the roofline)' });
  const copy = await measureCopyBandwidth(ctx);
  checkAborted(signal);
  const records = await runKernelSweep(ctx, config, sweepProgress, signal);
  for (const size of options.gemmSizes ?? []) {
    const square = {
      ...config,
      shapes: [{ n: size, k: size, label: `gemm ${size}³` }],
      batches: [size],
      densities: [],
    };
    records.push(...(await runKernelSweep(ctx, square, sweepProgress, signal)));
  }
  return {
    records,
    compile,
    environment: {
      backend: 'webgpu',
      adapter: ctx.adapterLabel,
      adapterInfo: ctx.info,
      features: [...ctx.device.features].sort(),
      limits: ctx.limitsRecord(),
      timer: records[0]?.timer ?? copy.timer,
      copyGbps: copy.gbps,
    },
  };
}
