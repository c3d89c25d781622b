// `sparsescope bench-gpu`: the real-GPU report in one command. Runs `info`, square GEMM against
// tfjs-backend-webgpu (`bench-peers`), the GPT-2 layer sweep (`bench`), `bench-model` and the Graph
// Challenge DNN (`dnn`) through Dawn, each step in its own process under its part's time budget, and writes
// one JSON and one Markdown file named after the adapter (docs/bench/gpu-<vendor>-<arch>-<device>.*).
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import {
  type AdapterIdentity,
  adapterSlug,
  cutLine,
  type DnnOutcome,
  GPU_REPORT_SCHEMA,
  type GpuReport,
  type StepOutcome,
} from '../bench/gpuReport';
import { gpuReportMarkdown } from '../bench/gpuReportMarkdown';
import {
  GPU_BENCH_PARTS,
  type GpuBenchPartName,
  type GpuBenchStep,
  gpuBenchPlan,
  TOTAL_BUDGET_S,
} from '../bench/gpuReportPlan';
import { numberFlag, type ParsedArgs, stringFlag, UsageError } from './args';
import { executePlan } from './benchGpuSteps';
import { type FlagTable, flag, strictFlags } from './flags';

const BENCH_GPU_FLAGS = {
  quick: flag.bool('tiny sizes (≈ 40 s on SwiftShader): checks the command, measures nothing useful'),
  out: flag.text('folder for gpu-<adapter>.json and .md (default docs/bench)'),
  'budget-s': flag.number(
    10,
    3600,
    `total seconds (default ${TOTAL_BUDGET_S.full}, quick ${TOTAL_BUDGET_S.quick})`,
  ),
  parts: flag.text(`comma-separated subset of ${GPU_BENCH_PARTS.join(',')} (default all)`),
  'dnn-dir': flag.text(
    'Graph Challenge folder (default $SPARSESCOPE_DATA or ../shared/data, /graph-challenge-dnn)',
  ),
  retune: flag.bool('tune the kernels again, ignoring cached choices (passed to bench and bench-model)'),
} satisfies FlagTable;

function parseParts(spec: string | undefined): Set<GpuBenchPartName> {
  if (!spec) return new Set(GPU_BENCH_PARTS);
  return new Set(
    spec.split(',').map((p) => {
      const name = p.trim() as GpuBenchPartName;
      if (!GPU_BENCH_PARTS.includes(name))
        throw new UsageError(`--parts: "${p.slice(0, 50)}" is not one of ${GPU_BENCH_PARTS.join(', ')}`);
      return name;
    }),
  );
}

export async function benchGpuCommand(rawArgs: ParsedArgs): Promise<number> {
  const args = strictFlags(rawArgs, BENCH_GPU_FLAGS);
  const quick = args.flags.has('quick');
  const budgetS = numberFlag(args, 'budget-s', quick ? TOTAL_BUDGET_S.quick : TOTAL_BUDGET_S.full);
  const parts = parseParts(stringFlag(args, 'parts'));
  const outDir = resolve(stringFlag(args, 'out', 'docs/bench')!);
  const dataRoot = process.env.SPARSESCOPE_DATA ?? join('..', 'shared', 'data');
  const dnnDir = resolve(stringFlag(args, 'dnn-dir', join(dataRoot, 'graph-challenge-dnn'))!);
  const plan = gpuBenchPlan({ quick, dnnDir, retune: args.flags.has('retune') });
  mkdirSync(outDir, { recursive: true });
  const t0 = performance.now();
  const loadAtStart = os.loadavg()[0];
  const { steps, results, noAdapter } = await executePlan(plan, { budgetS, parts, dnnDir });
  if (noAdapter !== undefined) {
    console.error(`sparsescope bench-gpu: no WebGPU adapter (${noAdapter}); a GPU report needs one`);
    return 1;
  }
  const report = assemble(
    plan.flatMap((p) => p.steps),
    results,
    steps,
    {
      quick,
      budgetS,
      elapsedS: (performance.now() - t0) / 1000,
      load: [loadAtStart, os.loadavg()[0]],
      dnnDir,
    },
  );
  const base = join(outDir, report.file);
  const markdown = gpuReportMarkdown(report);
  writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 1)}\n`);
  writeFileSync(`${base}.md`, markdown);
  console.log(markdown);
  console.log(`wrote ${base}.json and ${base}.md`);
  return steps.every((s) => s.status === 'ok' || s.status === 'skipped') ? 0 : 1;
}

type Results = Map<GpuBenchStep, unknown>;

function assemble(
  planned: GpuBenchStep[],
  results: Results,
  steps: StepOutcome[],
  run: { quick: boolean; budgetS: number; elapsedS: number; load: [number, number]; dnnDir: string },
): GpuReport {
  const of = (part: GpuBenchPartName) =>
    planned
      .filter((s) => s.part === part && results.has(s))
      .map((s) => ({ step: s, r: results.get(s) as never }));
  const info = of('info')[0]?.r as
    | { adapter: AdapterIdentity; features: string[]; limits: Record<string, number> }
    | undefined;
  const adapter = info?.adapter ?? null;
  const sweeps = of('sweep').map(({ r }) => r as import('../bench/report').BenchReport);
  const model = of('model')[0]?.r as GpuReport['model'] | undefined;
  const dnn: DnnOutcome[] = of('dnn').map(({ step, r }) => {
    const d = r as Omit<DnnOutcome, 'step' | 'kernel' | 'truth' | 'categories'> & {
      backend: string;
      categories: number[];
      truth?: { match: boolean } | null;
    };
    const kernel = step.args.includes('all-rows') ? 'every image' : 'live rows';
    return {
      step: step.name,
      kernel: `${d.backend} ${kernel}`,
      nImages: d.nImages,
      nLayers: d.nLayers,
      categories: d.categories.length,
      edges: d.edges,
      edgesPerSecond: d.edgesPerSecond,
      total: d.total,
      // From the step's own JSON; a run without a comparison is not called a match.
      truth: d.truth ? (d.truth.match ? 'match' : 'mismatch') : 'not compared',
    };
  });
  return {
    schema: GPU_REPORT_SCHEMA,
    date: new Date().toISOString(),
    command: `sparsescope bench-gpu ${process.argv.slice(3).join(' ')}`.trim(),
    runtime: `node ${process.version} + Dawn (webgpu npm package); host ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}`,
    quick: run.quick,
    slug: adapterSlug(adapter),
    file: `${adapterSlug(adapter)}${run.quick ? '-quick' : ''}`,
    load: run.load,
    dnnDir: run.dnnDir,
    adapter,
    features: info?.features ?? [],
    limits: info?.limits ?? {},
    budgetS: run.budgetS,
    elapsedS: run.elapsedS,
    steps,
    cut: steps.map(cutLine).filter((l): l is string => l !== null),
    gemm: of('gemm').flatMap(({ r }) => (r as { rows: GpuReport['gemm'] }).rows),
    sweep: {
      environments: sweeps.map(({ environment: { limits: _l, features: _f, ...rest } }) => rest),
      records: sweeps.flatMap((s) => s.records),
    },
    model: model ? { model: model.model, records: model.records } : null,
    dnn,
  };
}
