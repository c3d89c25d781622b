// Dense vs CSR kernel sweeps: every point is measured in one run on one adapter, so a speedup is always
// the ratio of two numbers taken together. Shared by `sparsescope bench` and the app's benchmark panel.

import { storageBuffer, uploadStorage } from '../gpu/buffers';
import type { GpuContext } from '../gpu/context';
import { type Dispatch, disposeDispatches } from '../gpu/kernels/dispatch';
import { chooseDenseVariant, DenseMatmul, type DenseVariant } from '../gpu/kernels/matmul';
import { autoCsrVariants, CsrSpmm } from '../gpu/kernels/spmmCsr';
import { OwnedResources } from '../gpu/owned';
import { GpuTiming } from '../gpu/timing';
import { Rng } from '../math/rng';
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
}

export interface BenchRecord {
  path: 'dense' | 'sparse';
  variant: string; // kernel variant actually dispatched (tiled, gemv, naive, subgroup, workgroup, batched)
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
  // Compile only what the sweep dispatches ('auto' choices for its shapes, plus naive if asked): every
  // pipeline costs seconds on SwiftShader.
  const denseVariants = new Set<DenseVariant>();
  for (const { n, k } of config.shapes) {
    for (const batch of config.batches) denseVariants.add(chooseDenseVariant({ batch, n, k }));
  }
  if (config.naive) denseVariants.add('naive');
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
  try {
    const dense = live.add(await DenseMatmul.create(ctx, { variants: [...denseVariants] }));
    const sparse = live.add(await CsrSpmm.create(ctx, { variants: autoCsrVariants(ctx) }));
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
        ) => {
          records.push(benchRecord(base, { path, variant, shape: label, n, k, batch, density, nnz }, t));
          done++;
        };

        const w = live.add(uploadStorage(device, 'Bench.w', rng.uniformArray(n * k)));
        const denseVariants: ('auto' | 'naive')[] = config.naive ? ['auto', 'naive'] : ['auto'];
        for (const variant of denseVariants) {
          step(`dense ${variant} ${label} batch ${batch}`);
          const d = dense.bind({ x, w, bias, y }, { batch, n, k }, variant);
          const t = await time(d);
          record('dense', kernelName(d.label, variant), 1, n * k, t);
        }
        live.release(w);

        for (const density of config.densities) {
          step(`sparse ${label} batch ${batch} density ${density}`);
          const csr = live.add(sparse.upload(device, randomCsr(rng, n, k, density), 'Bench.csr'));
          const d = sparse.bind({ x, csr, bias, y }, { batch });
          const t = await time(d);
          record('sparse', kernelName(d.label, 'auto'), density, csr.nnz, t);
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
  'path' | 'variant' | 'shape' | 'n' | 'k' | 'batch' | 'density' | 'nnz'
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
    if (r.path === 'dense' && r.variant !== 'naive') dense.set(`${r.n}x${r.k}x${r.batch}`, r.medianMs);
  }
  return (r) =>
    r.path === 'sparse' ? (dense.get(`${r.n}x${r.k}x${r.batch}`) ?? Number.NaN) / r.medianMs : undefined;
}
