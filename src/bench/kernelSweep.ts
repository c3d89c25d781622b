// Dense vs CSR kernel sweeps: every point is measured in one run on one adapter, so a speedup is always
// the ratio of two numbers taken together. Shared by `sparsescope bench` and the app's benchmark panel.

import type { KernelChoiceOrigin } from '../contracts';
import { linearKernelsFor, type PrepareTuningOptions, prepareTuning } from '../gpu/autotune/prepare';
import type { TuneRequest } from '../gpu/autotune/tuner';
import { storageBuffer, uploadStorage } from '../gpu/buffers';
import type { GpuContext } from '../gpu/context';
import { type Dispatch, disposeDispatches } from '../gpu/kernels/dispatch';
import { DenseMatmul } from '../gpu/kernels/matmul';
import { CsrSpmm } from '../gpu/kernels/spmmCsr';
import { OwnedResources } from '../gpu/owned';
import { GpuTiming } from '../gpu/timing';
import { Rng } from '../math/rng';
import { type CandidateFailure, timeCandidates } from './candidateSweep';
import { randomCsr } from './matrices';
import { gbps, gflops, matmulBytes, matmulFlops, type Summary } from './stats';
import { type TimingOptions, type TimingResult, timeDispatches } from './timeDispatch';

export interface Shape {
  n: number; // output neurons
  k: number; // input neurons
  label?: string;
}

/** GPT-2 small's four linear-layer shapes (out × in). */
export const GPT2_SMALL_SHAPES: Shape[] = [
  { n: 768, k: 768, label: 'attn.proj 768×768' },
  { n: 2304, k: 768, label: 'qkv 2304×768' },
  { n: 3072, k: 768, label: 'fc 3072×768' },
  { n: 768, k: 3072, label: 'fc.proj 768×3072' },
];

export interface SweepConfig {
  shapes: Shape[];
  densities: number[];
  batches: number[];
  seed?: number;
  timing?: TimingOptions;
  /** Also time the naive one-output-per-thread dense kernel (the baseline the tiled GEMM must beat). */
  naive?: boolean;
  /** How the kernels are chosen (src/gpu/autotune): default 'auto' (tuned, cached), 'off' for defaults. */
  tune?: PrepareTuningOptions;
  /** Also time every autotuning candidate of each point, side by side with the chosen kernel. */
  allCandidates?: boolean;
}

export interface BenchRecord {
  path: 'dense' | 'sparse';
  variant: string; // kernel variant actually dispatched (tiled, gemv, naive, subgroup, workgroup, batched)
  /** The variant with its override constants ('tiled-vec4 TX=4 TY=4 RM=2 RN=2 BK=8'). */
  kernel?: string;
  /** How the kernel was chosen ('candidate': one of the autotuner's, timed side by side with --all-candidates). */
  chosen?: KernelChoiceOrigin | 'candidate';
  shape: string;
  n: number;
  k: number;
  batch: number;
  density: number; // 1 for dense
  nnz: number;
  medianMs: number;
  p10Ms: number;
  p90Ms: number;
  gflops: number; // useful flops: dense 2·N·K·B, sparse 2·nnz·B
  gbps: number; // compulsory bytes / median time
  repeats: number; // dispatches per sample
  samples: number;
  backend: 'webgpu' | 'cpu';
  adapter: string;
  timer: 'gpu-timestamp' | 'wall';
}

export interface SweepProgress {
  done: number;
  total: number;
  current: string;
}

/** Every point's shape, for the autotuner: dense at each batch, CSR at each batch and density. */
function sweepTuneRequest(config: SweepConfig): TuneRequest {
  const dense: TuneRequest['dense'] = [];
  const csr: TuneRequest['csr'] = [];
  for (const { n, k } of config.shapes) {
    for (const batch of config.batches) {
      dense.push({ batch, n, k });
      for (const density of config.densities) csr.push({ batch, n, k, nnzPerRow: Math.max(1, density * k) });
    }
  }
  return { dense, csr };
}

export function sweepSize(config: SweepConfig): number {
  const perShapeBatch = config.densities.length + 1 + (config.naive ? 1 : 0);
  return config.shapes.length * config.batches.length * perShapeBatch;
}

export async function runKernelSweep(
  ctx: GpuContext,
  config: SweepConfig,
  onProgress?: (p: SweepProgress) => void,
  signal?: AbortSignal,
): Promise<BenchRecord[]> {
  const { device } = ctx;
  const rng = new Rng(config.seed ?? 1);
  // The kernel for each point: tuned on this adapter (or cached) within the tuning budget, else today's
  // default. Only what the sweep dispatches is compiled: every pipeline costs seconds on SwiftShader.
  const tuned = await prepareTuning(ctx, sweepTuneRequest(config), config.tune);
  // Everything the sweep makes (kernels, buffers, dispatch uniforms) is released even when a point fails or
  // is cancelled.
  const live = new OwnedResources();
  const records: BenchRecord[] = [];
  const total = sweepSize(config);
  let done = 0;
  const step = (current: string) => {
    if (signal?.aborted) throw new DOMException('benchmark cancelled', 'AbortError');
    onProgress?.({ done, total, current });
  };
  const base = { backend: 'webgpu' as const, adapter: ctx.adapterLabel };

  // One timer for the whole sweep.
  const timing = new GpuTiming(device, 1, 'Bench');
  /** Time one dispatch, then free its uniform. */
  const time = async (d: Dispatch): Promise<TimingResult> => {
    try {
      return await timeDispatches(device, [d], config.timing, timing);
    } finally {
      disposeDispatches([d]);
    }
  };
  // --all-candidates: a candidate that does not build or fails the check is named, never silently left out.
  const warn = config.tune?.warn ?? ((m: string) => console.warn(m));
  const reportFailed = (point: string, failed: CandidateFailure[]) => {
    for (const f of failed) warn(`candidate ${f.kernel} at ${point} left out: ${f.reason}`);
  };
  try {
    const built = await linearKernelsFor(
      ctx,
      tuned,
      config.shapes.map(({ n, k }) => ({ n, k, activation: 'none', bias: true })),
      config.tune?.warn,
    );
    const linear = live.add(built.linear);
    const naive = config.naive ? live.add(await DenseMatmul.create(ctx, { variants: ['naive'] })) : null;
    const uploader = live.add(await CsrSpmm.create(ctx, { variants: [] }));
    for (const shape of config.shapes) {
      const { n, k } = shape;
      const label = shape.label ?? `${n}×${k}`;
      const bias = live.add(uploadStorage(device, 'Bench.bias', rng.uniformArray(n)));
      for (const batch of config.batches) {
        const x = live.add(uploadStorage(device, 'Bench.x', rng.uniformArray(batch * k)));
        const y = live.add(storageBuffer(device, 'Bench.y', 4 * batch * n));
        const record = (
          path: 'dense' | 'sparse',
          variant: string,
          density: number,
          nnz: number,
          t: TimingResult,
          run?: Pick<BenchRecord, 'kernel' | 'chosen'>,
        ) => {
          const point = { path, variant, shape: label, n, k, batch, density, nnz, ...run };
          records.push(benchRecord(base, point, t));
          if (run?.chosen !== 'candidate') done++; // candidates are extra rows, not points
        };

        const w = live.add(uploadStorage(device, 'Bench.w', rng.uniformArray(n * k)));
        step(`dense ${label} batch ${batch}`);
        const d = linear.bindDense('none', { x, w, bias, y }, { batch, n, k });
        record('dense', kernelName(d.label, 'auto'), 1, n * k, await time(d), {
          kernel: d.run.kernel,
          chosen: d.run.how,
        });
        if (naive) {
          step(`dense naive ${label} batch ${batch}`);
          const d = naive.bind({ x, w, bias, y }, { batch, n, k }, 'naive');
          record('dense', 'naive', 1, n * k, await time(d));
        }
        if (config.allCandidates) {
          const dense = { kind: 'dense', x, w, bias, y, shape: { batch, n, k } } as const;
          const { timed, failed } = await timeCandidates(ctx, dense, time);
          for (const c of timed) {
            record('dense', c.variant, 1, n * k, c.timing, { kernel: c.kernel, chosen: 'candidate' });
          }
          reportFailed(`dense ${label} batch ${batch}`, failed);
        }
        live.release(w);

        for (const density of config.densities) {
          step(`sparse ${label} batch ${batch} density ${density}`);
          const csr = live.add(uploader.upload(device, randomCsr(rng, n, k, density), 'Bench.csr'));
          await linear.add([{ n, k, activation: 'none', bias: true, nnzPerRow: csr.nnz / csr.rows }]);
          const d = linear.bindCsr('none', { x, csr, bias, y }, { batch });
          const t = await time(d);
          record('sparse', kernelName(d.label, 'auto'), density, csr.nnz, t, {
            kernel: d.run.kernel,
            chosen: d.run.how,
          });
          if (config.allCandidates) {
            const nnzPerRow = csr.nnz / csr.rows;
            const shape = { batch, n, k, nnzPerRow };
            const { timed, failed } = await timeCandidates(
              ctx,
              { kind: 'csr', x, csr, bias, y, shape },
              time,
            );
            for (const c of timed) {
              record('sparse', c.variant, density, csr.nnz, c.timing, {
                kernel: c.kernel,
                chosen: 'candidate',
              });
            }
            reportFailed(`sparse ${label} batch ${batch} density ${density}`, failed);
          }
          live.release(csr);
        }
        live.release(x);
        live.release(y);
      }
      live.release(bias);
    }
  } finally {
    live.dispose();
    timing.dispose();
  }
  onProgress?.({ done, total, current: 'done' });
  return records;
}

/** What one point of a sweep ran: the matmul's shape, path, kernel variant and sparsity. */
export type BenchPoint = Pick<
  BenchRecord,
  'path' | 'variant' | 'shape' | 'n' | 'k' | 'batch' | 'density' | 'nnz' | 'kernel' | 'chosen'
>;

/** A point's record: its timing summary, useful GFLOP/s and compulsory GB/s (GPU and CPU sweeps alike). */
export function benchRecord(
  where: Pick<BenchRecord, 'backend' | 'adapter'>,
  point: BenchPoint,
  t: Summary & Pick<BenchRecord, 'repeats' | 'timer'>,
): BenchRecord {
  const { path, n, k, batch, nnz } = point;
  return {
    ...where,
    ...point,
    medianMs: t.medianMs,
    p10Ms: t.p10Ms,
    p90Ms: t.p90Ms,
    gflops: gflops(matmulFlops(path, n, k, batch, nnz), t.medianMs),
    gbps: gbps(matmulBytes(path, n, k, batch, nnz), t.medianMs),
    repeats: t.repeats,
    samples: t.samples,
    timer: t.timer,
  };
}

/** The kernel a dispatch runs, from its label ('DenseMatmul.tiled-vec4' → 'tiled-vec4'). */
function kernelName(label: string, fallback: string): string {
  const dot = label.lastIndexOf('.');
  return dot >= 0 ? label.slice(dot + 1) : fallback;
}

/** sparse-over-dense speedup for each sparse record, against the dense record of the same shape and batch. */
export function speedups(records: BenchRecord[]): (BenchRecord & { speedup: number })[] {
  const of = speedupLookup(records);
  return records.filter((r) => r.path === 'sparse').map((r) => ({ ...r, speedup: of(r) ?? Number.NaN }));
}

/** Lookup of each sparse record's speedup over the dense record of the same shape and batch. */
export function speedupLookup(records: BenchRecord[]): (r: BenchRecord) => number | undefined {
  const dense = new Map<string, number>();
  for (const r of records) {
    if (r.path === 'dense' && r.variant !== 'naive' && r.chosen !== 'candidate')
      dense.set(`${r.n}x${r.k}x${r.batch}`, r.medianMs);
  }
  return (r) =>
    r.path === 'sparse' ? (dense.get(`${r.n}x${r.k}x${r.batch}`) ?? Number.NaN) / r.medianMs : undefined;
}
