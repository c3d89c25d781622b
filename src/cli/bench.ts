// `sparsescope bench`: dense vs CSR kernel sweeps on one adapter in one run, a table and a JSON report.
import { writeFileSync } from 'node:fs';
import {
  type BenchRecord,
  GPT2_SMALL_SHAPES,
  type Shape,
  type SweepConfig,
  speedups,
} from '../bench/kernelSweep';
import { BENCH_SCHEMA, type BenchReport } from '../bench/report';
import { runBench } from '../bench/runBench';
import { crossoverDensity } from '../bench/stats';
import { formatTable } from '../bench/table';
import { withGpuErrors } from '../gpu/limits';
import { checkFinite } from '../params/finite';
import { LIMITS } from '../params/limits';
import { choiceFlag, numberFlag, numberListFlag, type ParsedArgs, stringFlag, UsageError } from './args';
import { type FlagTable, flag, strictFlags } from './flags';
import { openBackend } from './gpu';
import { TUNE_FLAGS, tuneOptions } from './tuneFlags';

export function parseShapes(spec: string | undefined): Shape[] {
  if (!spec || spec === 'gpt2') return GPT2_SMALL_SHAPES;
  return spec.split(',').map((part) => {
    const m = /^(\d+)x(\d+)$/.exec(part.trim());
    if (!m) throw new UsageError(`--shapes: "${part.slice(0, 200)}" is not NxK (out×in), e.g. 3072x768`);
    const shape = { n: Number(m[1]), k: Number(m[2]) };
    if (!(shape.n >= 1 && shape.k >= 1 && shape.n <= LIMITS.side && shape.k <= LIMITS.side)) {
      throw new UsageError(`--shapes: "${part}": each side must be from 1 to ${LIMITS.side} (side)`);
    }
    return shape;
  });
}

export function benchTable(records: BenchRecord[]): string {
  const speed = new Map(speedups(records).map((r) => [r, r.speedup]));
  const rows = records.map((r) => {
    const s = [...speed.entries()].find(
      ([x]) =>
        x.n === r.n && x.k === r.k && x.batch === r.batch && x.density === r.density && r.path === 'sparse',
    )?.[1];
    return [
      r.shape,
      r.batch,
      r.path,
      r.kernel ?? r.variant,
      r.chosen ?? '—',
      r.density,
      r.medianMs,
      r.p10Ms,
      r.p90Ms,
      r.gflops,
      r.gbps,
      s ?? '—',
    ];
  });
  return formatTable(
    [
      'shape',
      'batch',
      'path',
      'variant',
      'chosen',
      'density',
      'median ms',
      'p10',
      'p90',
      'GFLOP/s',
      'GB/s',
      'speedup',
    ],
    rows,
  );
}

/** Crossover density per (shape, batch): where CSR stops beating dense. */
export function crossoverLines(records: BenchRecord[]): string[] {
  const groups = new Map<string, { density: number; speedup: number }[]>();
  for (const r of speedups(records)) {
    const key = `${r.shape} batch ${r.batch}`;
    groups.set(key, [...(groups.get(key) ?? []), { density: r.density, speedup: r.speedup }]);
  }
  return [...groups].map(([key, points]) => {
    const d = crossoverDensity(points);
    const best = Math.max(...points.map((p) => p.speedup));
    return `${key}: ${d === null ? (best > 1 ? 'sparse faster at every density measured' : 'dense faster at every density measured') : `break-even at density ≈ ${d.toPrecision(2)}`}`;
  });
}

/** Every flag `bench` takes. */
const BENCH_FLAGS = {
  shapes: flag.text('gpt2, or NxK,NxK (out×in)'),
  densities: flag.densities(),
  batches: flag.ints(1, LIMITS.batch),
  gemm: flag.ints(1, LIMITS.side, undefined, 'square GEMM sizes to time too'),
  samples: flag.int(1, LIMITS.samples),
  'target-ms': flag.number(0, 60_000, 'time one sample at least this long'),
  seed: flag.seed(),
  'no-naive': flag.bool('skip the naive dense kernel'),
  json: flag.text('write the report here'),
  backend: flag.backend(),
  'all-candidates': flag.bool('also time every autotuning candidate of each point'),
  ...TUNE_FLAGS,
} satisfies FlagTable;

export async function benchCommand(rawArgs: ParsedArgs): Promise<number> {
  const args = strictFlags(rawArgs, BENCH_FLAGS);
  const config: SweepConfig = {
    shapes: parseShapes(stringFlag(args, 'shapes')),
    densities: numberListFlag(args, 'densities', [1, 1 / 4, 1 / 16, 1 / 64, 1 / 256, 1 / 1024]),
    batches: numberListFlag(args, 'batches', [1, 64, 512]),
    seed: numberFlag(args, 'seed', 1),
    naive: !args.flags.has('no-naive'),
    tune: tuneOptions(args),
    allCandidates: args.flags.has('all-candidates'),
    timing: {
      samples: numberFlag(args, 'samples', 9),
      warmup: 1,
      targetSampleMs: numberFlag(args, 'target-ms', 2),
    },
  };
  for (const d of config.densities)
    if (!(d > 0 && d <= 1)) throw new UsageError(`density ${d} is outside (0, 1]`);
  const gemmSizes = numberListFlag(args, 'gemm', []);
  const backend = await openBackend(choiceFlag(args, 'backend', ['webgpu', 'cpu'] as const, 'webgpu'));
  const progress = (p: { done: number; total: number; current: string }) =>
    process.stderr.write(`\r[${p.done}/${p.total}] ${p.current.padEnd(60)}`);

  const date = new Date().toISOString();
  const command = `sparsescope bench ${process.argv.slice(3).join(' ')}`.trim();
  if (backend.kind === 'webgpu') console.log(`adapter: ${backend.ctx.adapterLabel}`);
  else console.log(`backend: CPU (${backend.reason})`);
  const run =
    backend.kind === 'webgpu'
      ? await withGpuErrors(backend.ctx.device, 'the kernel sweep', () =>
          runBench({ kind: 'webgpu', ctx: backend.ctx }, config, { onProgress: progress, gemmSizes }),
        )
      : await runBench({ kind: 'cpu' }, config, { onProgress: progress, gemmSizes });
  const { records } = run;
  const runtime =
    backend.kind === 'webgpu'
      ? `node ${process.version} + Dawn (webgpu npm package)`
      : `node ${process.version}`;
  const report: BenchReport = {
    schema: BENCH_SCHEMA,
    environment: { runtime, ...run.environment, date, command },
    sweep: config,
    records,
  };
  process.stderr.write('\n');
  if (run.environment.copyGbps !== undefined)
    console.log(`copy bandwidth ${run.environment.copyGbps.toFixed(1)} GB/s (${run.environment.timer})`);
  // A median of 0 ms or a NaN speedup is a failed measurement, not a result.
  for (const r of records) {
    checkFinite(`${r.shape} batch ${r.batch} ${r.path} density ${r.density}`, [r.medianMs, r.p10Ms, r.p90Ms]);
    if (!(r.medianMs > 0))
      throw new Error(`${r.shape} batch ${r.batch} ${r.path}: median ${r.medianMs} ms; nothing was timed`);
  }
  console.log(benchTable(records));
  for (const line of crossoverLines(records)) console.log(line);
  const jsonPath = stringFlag(args, 'json');
  if (jsonPath) {
    writeFileSync(jsonPath, `${JSON.stringify(report, null, 1)}\n`);
    console.log(`wrote ${records.length} records to ${jsonPath}`);
  }
  if (backend.kind === 'webgpu') backend.ctx.dispose();
  return 0;
}
