// `sparsescope bench-gpu`: the real-GPU report in one command. Runs `info`, square GEMM against
// tfjs-backend-webgpu (`bench-peers`), the GPT-2 layer sweep (`bench`), `bench-model` and the Graph
// Challenge DNN (`dnn`) through Dawn, each step in its own process under its part's time budget, and writes
// one JSON and one Markdown file named after the adapter (docs/bench/gpu-<vendor>-<arch>-<device>.*).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
import { type FlagTable, flag, strictFlags } from './flags';
import { lastLines, runCliStep } from './runStep';

const BENCH_GPU_FLAGS = {
  quick: flag.bool('tiny sizes (≈ 1 min on SwiftShader): checks the command, measures nothing useful'),
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
  retune: flag.bool("re-tune the kernels on this adapter before the sweep (the sweep's --retune)"),
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

/** A step's result: its --json file or its stdout, parsed; undefined when it wrote none. */
function readResult(step: GpuBenchStep, file: string, stdout: string): unknown {
  try {
    if (step.result === 'stdout') return JSON.parse(stdout);
    return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
  } catch {
    return undefined;
  }
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
  const tmp = mkdtempSync(join(os.tmpdir(), 'sparsescope-bench-gpu-'));
  const t0 = performance.now();
  const deadline = t0 + budgetS * 1000;
  const steps: StepOutcome[] = [];
  const results = new Map<GpuBenchStep, unknown>();
  try {
    for (const part of plan) {
      const partDeadline = Math.min(deadline, performance.now() + part.budgetS * 1000);
      for (const [i, step] of part.steps.entries()) {
        const outcome: StepOutcome = {
          part: part.name,
          name: step.name,
          command: `sparsescope ${step.command} ${step.args.join(' ')}`.trim(),
          budgetS: part.budgetS,
          seconds: 0,
          status: 'ok',
          exitCode: null,
        };
        steps.push(outcome);
        const leftS = (partDeadline - performance.now()) / 1000;
        if (!parts.has(part.name)) {
          Object.assign(outcome, { status: 'skipped', reason: 'not in --parts' });
          continue;
        }
        if (part.name === 'dnn' && !existsSync(dnnDir)) {
          Object.assign(outcome, {
            status: 'not run',
            reason: `no Graph Challenge data at ${dnnDir} (--dnn-dir)`,
          });
          continue;
        }
        if (leftS < 1) {
          const why =
            deadline <= partDeadline ? `the ${budgetS} s total was spent` : 'its part had no budget left';
          Object.assign(outcome, { status: 'not run', reason: why });
          continue;
        }
        process.stderr.write(`\n[bench-gpu] ${part.name}: ${step.name} (≤ ${leftS.toFixed(0)} s)\n`);
        const file = join(tmp, `${part.name}-${i}.json`);
        const run = await runCliStep(
          step.command,
          step.result === 'json' ? [...step.args, '--json', file] : step.args,
          leftS,
        );
        const result = readResult(step, file, run.stdout);
        outcome.seconds = run.seconds;
        outcome.exitCode = run.exitCode;
        if (result !== undefined) results.set(step, result);
        if (run.timedOut) Object.assign(outcome, { status: 'cut', reason: 'stopped at its budget' });
        else if (run.exitCode !== 0 || result === undefined) {
          const mismatch = step.command === 'dnn' && /truth: MISMATCH/.test(run.tail);
          const why = mismatch ? 'categories differ from the truth file' : lastLines(run.tail);
          Object.assign(outcome, { status: 'failed', reason: why || 'no result written' });
        }
        if (step.command === 'info' && result && (result as { backend?: string }).backend !== 'webgpu') {
          console.error(
            `sparsescope bench-gpu: no WebGPU adapter (${(result as { reason?: string }).reason ?? 'unknown reason'}); a GPU report needs one`,
          );
          return 1;
        }
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const report = assemble(
    plan.flatMap((p) => p.steps),
    results,
    steps,
    {
      quick,
      budgetS,
      elapsedS: (performance.now() - t0) / 1000,
    },
  );
  const base = join(outDir, `${report.slug}${quick ? '-quick' : ''}`);
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
  run: { quick: boolean; budgetS: number; elapsedS: number },
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
    const d = r as Omit<DnnOutcome, 'step' | 'kernel' | 'truth'> & { backend: string };
    const kernel = step.args.includes('all-rows') ? 'every image' : 'live rows';
    const outcome = steps.find((s) => s.name === step.name);
    return {
      step: step.name,
      kernel: `${d.backend} ${kernel}`,
      nImages: d.nImages,
      nLayers: d.nLayers,
      edges: d.edges,
      edgesPerSecond: d.edgesPerSecond,
      total: d.total,
      truth: outcome?.reason === 'categories differ from the truth file' ? 'mismatch' : 'match',
    };
  });
  return {
    schema: GPU_REPORT_SCHEMA,
    date: new Date().toISOString(),
    command: `sparsescope bench-gpu ${process.argv.slice(3).join(' ')}`.trim(),
    runtime: `node ${process.version} + Dawn (webgpu npm package); host ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}`,
    quick: run.quick,
    slug: adapterSlug(adapter),
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
