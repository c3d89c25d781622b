// The autotuner: for each shape a model or a sweep is about to use, time its candidates (candidates.ts)
// through the tuning loop (tuneLoop.ts) on this adapter and keep the fastest that passed its check. Bounded
// by a time budget shared out over the shapes still to tune (what is left untuned keeps today's default),
// reporting progress, and cancellable.
import { Rng } from '../../math/rng';
import { storageBuffer, uploadStorage } from '../buffers';
import type { GpuContext } from '../context';
import type { DenseShape } from '../kernels/matmul';
import { CsrSpmm, csrTuningFor } from '../kernels/spmmCsr';
import { OwnedResources } from '../owned';
import { GpuTiming } from '../timing';
import {
  type AdapterCaps,
  type CsrShape,
  csrCandidates,
  defaultCsrChoice,
  defaultDenseChoice,
  denseCandidates,
  describeChoice,
  type KernelChoice,
} from './candidates';
import { csrKey, denseKey, type TunedChoice, type TuningTable } from './table';
import { openCsrTrial, openDenseTrial, spreadCsr } from './trials';
import { type CandidateResult, type Trial, type TuneOutcome, tuneCandidates } from './tuneLoop';

/**
 * First-use budget (ms): tuning stops here and the shapes left keep their defaults. 10 s on a GPU; 4 s on a
 * CPU-emulated adapter, where one candidate's compile alone takes seconds and a model's first load (every
 * test's, in a browser with empty storage) should not wait long for the little tuning can show there.
 */
function defaultBudgetMs(fallbackAdapter: boolean): number {
  return fallbackAdapter ? 4_000 : 10_000;
}
/** The least time a shape gets while the budget lasts (ms). */
const MIN_SHAPE_MS = 2_500;

export interface TuneRequest {
  dense: DenseShape[];
  csr: CsrShape[];
  /** Tuned after every shape above, in the same batch order: costly or least-used shapes (a model's unembedding). */
  later?: { dense: DenseShape[]; csr: CsrShape[] };
  /** Tuned after `later`, group by group (a retune's shapes compared before: retunePlan.ts). */
  again?: { dense: DenseShape[]; csr: CsrShape[] }[];
}

interface TuneProgress {
  done: number;
  total: number;
  current: string;
  elapsedMs: number;
}

export interface AutotuneOptions {
  budgetMs?: number;
  onProgress?: (p: TuneProgress) => void;
  /** Skip the rest: tuning stops at once and returns the shapes finished (not the one in progress). */
  signal?: AbortSignal;
  clock?: () => number;
  seed?: number;
}

interface ShapeTuning {
  key: string;
  /** Every candidate tried, today's default first. */
  candidates: CandidateResult[];
}

export interface AutotuneReport {
  /** The choice for each shape tuned (how 'default' where time ran out). */
  table: TuningTable;
  shapes: ShapeTuning[];
  elapsedMs: number;
  budgetMs: number;
}

export function adapterCaps(ctx: GpuContext): AdapterCaps {
  return {
    fallbackAdapter: ctx.info.isFallbackAdapter,
    subgroups: ctx.features.subgroups,
    maxInvocations: ctx.limits.maxComputeInvocationsPerWorkgroup,
    maxWorkgroupStorage: ctx.limits.maxComputeWorkgroupStorageSize,
  };
}

/** The cache entry for one shape's outcome. */
export function entryOf(outcome: TuneOutcome<KernelChoice>, batch: number): TunedChoice {
  const best = outcome.results.find((r) => r.id === describeChoice(outcome.choice));
  const entry = {
    choice: outcome.choice,
    batch,
    how: outcome.how,
    ms: best?.ms,
    defaultMs: outcome.results[0]?.ms,
  };
  // 'default' from the loop means its share of the budget ended before two candidates were compared: as
  // unreached as a shape never started (a retune tunes it first, and it never overwrites a compared entry).
  return outcome.how === 'default' ? { ...entry, reason: 'budget' } : entry;
}

export async function autotune(
  ctx: GpuContext,
  request: TuneRequest,
  options: AutotuneOptions = {},
): Promise<AutotuneReport> {
  const clock = options.clock ?? (() => performance.now());
  const budgetMs = options.budgetMs ?? defaultBudgetMs(ctx.info.isFallbackAdapter);
  const start = clock();
  const end = start + budgetMs;
  const { device } = ctx;
  const caps = adapterCaps(ctx);
  const rng = new Rng(options.seed ?? 17);
  // Dense and CSR shapes of the first batch asked for first, and so on, then the `later` shapes the same
  // way, then the `again` groups: the budget may not reach the last.
  const jobs = [
    ...jobsOf(request),
    ...jobsOf(request.later ?? { dense: [], csr: [] }),
    ...(request.again ?? []).flatMap(jobsOf),
  ];
  const table: TuningTable = {};
  const shapes: ShapeTuning[] = [];
  const timing = new GpuTiming(device, 1, 'Autotune');
  const openCost = { ms: 0 };
  const report = (done: number, current: string) =>
    options.onProgress?.({ done, total: jobs.length, current, elapsedMs: clock() - start });
  try {
    for (const [i, job] of jobs.entries()) {
      if (options.signal?.aborted) break; // skipped: the shapes left keep their defaults
      const now = clock();
      // Too little left to compare two candidates: stop rather than overrun the budget.
      if (end - now < Math.min(MIN_SHAPE_MS / 2, budgetMs)) break;
      report(i, `tuning ${job.key}`);
      // The budget left, shared out over the shapes left — but at least MIN_SHAPE_MS while it lasts: on a
      // slow adapter one shape tuned is worth more than every shape cut off before its second candidate.
      const deadline = now + Math.max((end - now) / (jobs.length - i), Math.min(end - now, MIN_SHAPE_MS));
      const live = new OwnedResources();
      let outcome: TuneOutcome<KernelChoice>;
      try {
        outcome = await tuneShape(ctx, job, caps, timing, rng, live, {
          deadline,
          clock,
          openCost,
          signal: options.signal,
        });
      } finally {
        live.dispose();
      }
      // Skipped mid-way: the shape is not recorded (a partial comparison is no tuning), so the next load tunes it.
      if (options.signal?.aborted) break;
      table[job.key] = entryOf(outcome, batchOf(job));
      shapes.push({ key: job.key, candidates: outcome.results });
    }
  } finally {
    timing.dispose();
  }
  // Shapes the budget did not reach keep today's default, recorded as such (a retune tunes them first); skipped
  // ones are not recorded, so the next load tunes them.
  if (!options.signal?.aborted) {
    for (const job of jobs) {
      if (table[job.key]) continue;
      const choice = job.dense
        ? defaultDenseChoice(job.dense, caps.fallbackAdapter)
        : defaultCsrChoice(batchOf(job), caps, csrTuningFor(ctx));
      table[job.key] = { choice, batch: batchOf(job), how: 'default', reason: 'budget' };
    }
  }
  report(shapes.length, 'done');
  return { table, shapes, elapsedMs: clock() - start, budgetMs };
}

type Job = { key: string; dense?: DenseShape; csr?: CsrShape };

/** A request's shapes as jobs, the first batch asked for first (dense, then CSR, within a batch). */
function jobsOf(request: { dense: DenseShape[]; csr: CsrShape[] }): Job[] {
  const batchOrder = [...new Set([...request.dense, ...request.csr].map((s) => s.batch))];
  return [
    ...request.dense.map((shape) => ({ key: denseKey(shape), dense: shape })),
    ...request.csr.map((shape) => ({ key: csrKey(shape), csr: shape })),
  ].sort((a, b) => batchOrder.indexOf(batchOf(a)) - batchOrder.indexOf(batchOf(b)));
}

function batchOf(job: Job): number {
  return (job.dense ?? job.csr)?.batch ?? 1;
}

async function tuneShape(
  ctx: GpuContext,
  job: Job,
  caps: AdapterCaps,
  timing: GpuTiming,
  rng: Rng,
  live: OwnedResources,
  loop: { deadline: number; clock: () => number; openCost: { ms: number }; signal?: AbortSignal },
): Promise<TuneOutcome<KernelChoice>> {
  const { device } = ctx;
  const up = (label: string, n: number) => live.add(uploadStorage(device, label, rng.uniformArray(n)));
  const open = (trial: (c: KernelChoice) => Promise<Trial>) => trial;
  if (job.dense) {
    const shape = job.dense;
    const operands = {
      shape,
      x: up('Autotune.x', shape.batch * shape.k),
      w: up('Autotune.w', shape.n * shape.k),
      bias: up('Autotune.bias', shape.n),
      y: live.add(storageBuffer(device, 'Autotune.y', 4 * shape.batch * shape.n)),
    };
    const candidates = denseCandidates(shape, caps);
    return tuneCandidates<KernelChoice>(
      {
        candidates,
        id: describeChoice,
        open: open((c) =>
          c.family === 'dense'
            ? openDenseTrial(ctx, c, operands, timing, rng)
            : Promise.reject(new Error('not dense')),
        ),
      },
      loop,
    );
  }
  const shape = job.csr as CsrShape;
  const tuning = csrTuningFor(ctx);
  const uploader = live.add(await CsrSpmm.create(ctx, { variants: [] }));
  const csr = live.add(
    uploader.upload(device, spreadCsr(rng, shape.n, shape.k, shape.nnzPerRow), 'Autotune.csr'),
  );
  const operands = {
    shape,
    csr,
    x: up('Autotune.x', shape.batch * shape.k),
    bias: up('Autotune.bias', shape.n),
    y: live.add(storageBuffer(device, 'Autotune.y', 4 * shape.batch * shape.n)),
  };
  return tuneCandidates<KernelChoice>(
    {
      candidates: csrCandidates(shape, caps, tuning),
      id: describeChoice,
      open: open((c) =>
        c.family === 'csr'
          ? openCsrTrial(ctx, c, operands, timing, rng)
          : Promise.reject(new Error('not CSR')),
      ),
    },
    loop,
  );
}
