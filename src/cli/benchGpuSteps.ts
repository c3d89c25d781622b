// The steps of `bench-gpu` in order, each as a child process under its part's budget and the run's total
// (runStep.ts): which ran, which were cut at their budget, which never started, and what each wrote.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type { StepOutcome } from '../bench/gpuReport';
import type { GpuBenchPart, GpuBenchPartName, GpuBenchStep } from '../bench/gpuReportPlan';
import { lastLines, runCliStep } from './runStep';

export interface ExecuteOptions {
  /** The run's total (s); each part also has its own budget. */
  budgetS: number;
  parts: ReadonlySet<GpuBenchPartName>;
  dnnDir: string;
  /** Runs one step (default: the CLI in a child process); tests pass a fake with a fake clock. */
  runStep?: typeof runCliStep;
  /** ms (default performance.now). */
  clock?: () => number;
}

export interface Executed {
  steps: StepOutcome[];
  results: Map<GpuBenchStep, unknown>;
  /** Set when the info step found no WebGPU adapter (the reason): nothing after it ran. */
  noAdapter?: string;
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

export async function executePlan(plan: GpuBenchPart[], options: ExecuteOptions): Promise<Executed> {
  const { budgetS, parts, dnnDir } = options;
  const run = options.runStep ?? runCliStep;
  const now = options.clock ?? (() => performance.now());
  const tmp = mkdtempSync(join(os.tmpdir(), 'sparsescope-bench-gpu-'));
  const deadline = now() + budgetS * 1000;
  const steps: StepOutcome[] = [];
  const results = new Map<GpuBenchStep, unknown>();
  try {
    for (const part of plan) {
      const partDeadline = Math.min(deadline, now() + part.budgetS * 1000);
      for (const [i, step] of part.steps.entries()) {
        const outcome: StepOutcome = {
          part: part.name,
          name: step.name,
          command: `sparsescope ${step.command} ${step.args.join(' ')}`
            .trim()
            .replaceAll(dnnDir, '<dnn-dir>'),
          budgetS: part.budgetS,
          seconds: 0,
          status: 'ok',
          exitCode: null,
        };
        steps.push(outcome);
        const leftS = (partDeadline - now()) / 1000;
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
        const ran = await run(
          step.command,
          step.result === 'json' ? [...step.args, '--json', file] : step.args,
          leftS,
        );
        const result = readResult(step, file, ran.stdout);
        outcome.seconds = ran.seconds;
        outcome.exitCode = ran.exitCode;
        if (result !== undefined) results.set(step, result);
        if (ran.timedOut) Object.assign(outcome, { status: 'cut', reason: 'stopped at its budget' });
        else if (ran.exitCode !== 0 || result === undefined) {
          // The dnn step's JSON says how its categories compare (not its log, whose tail may cut the line).
          const truth = (result as { truth?: { match?: boolean } | null } | undefined)?.truth;
          const mismatch = step.part === 'dnn' && truth?.match === false;
          const why = mismatch ? 'categories differ from the truth file' : lastLines(ran.tail);
          Object.assign(outcome, { status: 'failed', reason: why || 'no result written' });
        }
        const info = result as { backend?: string; reason?: string } | undefined;
        if (step.command === 'info' && info && info.backend !== 'webgpu') {
          return { steps, results, noAdapter: info.reason ?? 'unknown reason' };
        }
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return { steps, results };
}
