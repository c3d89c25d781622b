// The report the panel makes (the shared 'sparsescope-bench/1' schema plus browser-only fields that the
// schema's readers ignore), and the caveats its numbers need, derived from what was measured. Pure.
import type { BenchRecord } from '../../bench/kernelSweep';
import type { BenchEnvironment, BenchReport } from '../../bench/report';

interface CompileTime {
  /** Wall ms of DenseMatmul.create (every dense variant, with and without bias). */
  denseMs: number;
  /** Wall ms of CsrSpmm.create (every CSR variant this device runs). */
  sparseMs: number;
  /** True when this page had compiled them already (the pipeline cache answered). */
  cached: boolean;
}

export interface PanelEnvironment extends BenchEnvironment {
  compile?: CompileTime;
  /** Why the CPU kernels ran when 'auto' or 'webgpu' was asked for. */
  fallbackReason?: string;
  /** Wall ms of the whole sweep, compile and copy-bandwidth measurement included. */
  totalMs?: number;
}

export interface PanelReport extends BenchReport {
  environment: PanelEnvironment;
  caveats: string[];
}

export function isCpuEmulated(env: BenchEnvironment): boolean {
  const info = env.adapterInfo;
  if (!info) return false;
  const names = `${info.vendor} ${info.architecture} ${info.device} ${info.description}`.toLowerCase();
  return info.isFallbackAdapter || /swiftshader|llvmpipe|lavapipe|warp|software/.test(names);
}

/** Plain-words caveats for one report, most important first. */
export function caveatsFor(env: PanelEnvironment, records: readonly BenchRecord[]): string[] {
  const out: string[] = [];
  if (env.backend === 'cpu') {
    out.push(
      `CPU backend${env.fallbackReason ? ` (${env.fallbackReason})` : ''}: these are the JavaScript ` +
        'kernels on one CPU thread, timed by wall clock. They say nothing about a GPU.',
    );
  } else if (isCpuEmulated(env)) {
    out.push(
      'CPU-emulated adapter (SwiftShader or another software/fallback adapter): every kernel is ' +
        'compute-bound on the CPU, so sparse wins roughly in proportion to the work it skips. These numbers ' +
        'rank the kernels on this adapter and say nothing about a real GPU.',
    );
  } else {
    const fastest = Math.min(...records.map((r) => r.medianMs));
    out.push(
      'Real GPU: small layers take microseconds, close to the cost of launching a dispatch, so at low ' +
        'density both paths are launch-bound and the speedup flattens out' +
        (Number.isFinite(fastest) ? ` (fastest point here: ${(fastest * 1000).toPrecision(3)} µs).` : '.'),
    );
  }
  if (env.backend === 'webgpu' && env.timer === 'gpu-timestamp') {
    out.push(
      'GPU timestamps: Chrome rounds them to 100 µs (unless run with --enable-webgpu-developer-features), ' +
        'so each sample times many repeated dispatches in one compute pass and divides (the "reps" column).',
    );
  } else if (env.backend === 'webgpu') {
    out.push(
      'No timestamp-query on this device: wall clock around submit and onSubmittedWorkDone, which includes ' +
        'submission latency; repeated dispatches per sample amortize it.',
    );
  }
  if (env.compile && !env.compile.cached) {
    out.push(
      `Pipeline compilation (${Math.round(env.compile.denseMs + env.compile.sparseMs)} ms) happened before ` +
        'timing and is not in any number below.',
    );
  }
  const roofline = env.copyGbps;
  const above = roofline ? records.filter((r) => r.gbps > roofline) : [];
  if (above.length > 0) {
    out.push(
      `${above.length} point${above.length > 1 ? 's' : ''} beat the copy roofline: their operands fit in ` +
        'caches that the larger copy buffer does not, so the roofline is a memory-bound ceiling, not a cache one.',
    );
  }
  out.push('Each speedup is the ratio of two medians measured in this run on this adapter.');
  return out;
}
