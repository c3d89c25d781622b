// `bench-gpu`'s steps: a child stopped at its budget (runCliStep), and the order of steps under part
// budgets and the run's total with a fake runner and clock (executePlan): cut, not run, failed, skipped.
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cutLine } from '../../src/bench/gpuReport';
import {
  GPU_BENCH_PARTS,
  type GpuBenchPart,
  type GpuBenchPartName,
  type GpuBenchStep,
} from '../../src/bench/gpuReportPlan';
import { executePlan } from '../../src/cli/benchGpuSteps';
import { runCliStep, type StepRun } from '../../src/cli/runStep';

describe('runCliStep', () => {
  it('stops a step at its budget and says so', async () => {
    const entry = join(tmpdir(), `sparsescope-slow-step-${process.pid}.mjs`);
    writeFileSync(entry, 'setTimeout(() => {}, 60_000);\n');
    const run = await runCliStep('info', [], 0.5, entry);
    expect(run.timedOut).toBe(true);
    expect(run.exitCode).toBeNull();
    expect(run.seconds).toBeLessThan(30);
  });
  it('returns the exit code and output of a step that ends', async () => {
    const entry = join(tmpdir(), `sparsescope-quick-step-${process.pid}.mjs`);
    writeFileSync(entry, 'console.log(JSON.stringify(process.argv.slice(2))); process.exitCode = 3;\n');
    const run = await runCliStep('info', ['--x'], 30, entry);
    expect(run).toMatchObject({ timedOut: false, exitCode: 3 });
    expect(JSON.parse(run.stdout)).toEqual(['info', '--x']);
  });
});

describe('executePlan', () => {
  const step = (part: GpuBenchPartName, name: string, result: 'json' | 'stdout' = 'json'): GpuBenchStep => ({
    part,
    name,
    command: part === 'info' ? 'info' : 'bench',
    args: ['--x', '1'],
    result,
  });
  const plan: GpuBenchPart[] = [
    { name: 'info', budgetS: 30, steps: [step('info', 'info', 'stdout')] },
    { name: 'gemm', budgetS: 100, steps: [step('gemm', 'g1'), step('gemm', 'g2'), step('gemm', 'g3')] },
    { name: 'sweep', budgetS: 50, steps: [step('sweep', 's1')] },
    { name: 'dnn', budgetS: 70, steps: [step('dnn', 'd1')] },
  ];
  /** A fake child: takes `seconds` of the fake clock (or its whole budget), writes its --json. */
  function fakeRunner(
    behaviour: Record<
      string,
      { seconds: number; exit?: number; hang?: boolean; info?: object; json?: object; tail?: string }
    >,
  ) {
    let t = 0;
    const clock = () => t;
    const calls: string[] = [];
    const runStep = async (command: string, args: string[], timeoutS: number): Promise<StepRun> => {
      const name = command === 'info' ? 'info' : `${args[args.length - 1]}`;
      const key = Object.keys(behaviour)[calls.length];
      calls.push(key);
      const b = behaviour[key];
      const seconds = b.hang ? timeoutS : b.seconds;
      t += seconds * 1000;
      const json = args.indexOf('--json');
      if (json >= 0 && !b.hang) writeFileSync(args[json + 1], JSON.stringify(b.json ?? { ok: true }));
      return {
        exitCode: b.hang ? null : (b.exit ?? 0),
        timedOut: Boolean(b.hang),
        seconds,
        stdout: b.info ? JSON.stringify(b.info) : name,
        tail: b.tail ?? (b.exit ? 'step started\nsomething broke: bad input' : ''),
      };
    };
    return { runStep, clock, calls };
  }

  it('stops a step at its part budget, skips what has no time left, and says why', async () => {
    const fake = fakeRunner({
      info: { seconds: 1, info: { backend: 'webgpu' } },
      g1: { seconds: 60 },
      g2: { seconds: 0, hang: true },
      s1: { seconds: 2, exit: 1 },
    });
    const { steps, results } = await executePlan(plan, {
      budgetS: 500,
      parts: new Set(GPU_BENCH_PARTS),
      dnnDir: '/nonexistent/graph-challenge-dnn',
      ...fake,
    });
    expect(fake.calls).toEqual(['info', 'g1', 'g2', 's1']);
    expect(steps.map((s) => `${s.name} ${s.status}${s.reason ? `: ${s.reason}` : ''}`)).toEqual([
      'info ok',
      'g1 ok',
      'g2 cut: stopped at its budget',
      'g3 not run: its part had no budget left',
      's1 failed: step started / something broke: bad input',
      'd1 not run: no Graph Challenge data at /nonexistent/graph-challenge-dnn (--dnn-dir)',
    ]);
    expect(steps[2].seconds).toBeCloseTo(40); // what was left of gemm's 100 s after g1's 60
    expect(steps.map(cutLine).filter(Boolean)).toHaveLength(4);
    expect([...results.keys()].map((s) => s.name)).toEqual(['info', 'g1', 's1']);
  });

  it('gives no step more than the total, and runs only the parts asked for', async () => {
    const fake = fakeRunner({
      info: { seconds: 1, info: { backend: 'webgpu' } },
      g1: { seconds: 0, hang: true },
    });
    const { steps } = await executePlan(plan, {
      budgetS: 20,
      parts: new Set<GpuBenchPartName>(['info', 'gemm', 'dnn']),
      dnnDir: '/nonexistent',
      ...fake,
    });
    expect(steps[1]).toMatchObject({ name: 'g1', status: 'cut' });
    expect(steps[1].seconds).toBeCloseTo(19);
    expect(steps.slice(2).map((s) => `${s.name} ${s.status} ${s.reason}`)).toEqual([
      'g2 not run the 20 s total was spent',
      'g3 not run the 20 s total was spent',
      's1 skipped not in --parts',
      'd1 not run no Graph Challenge data at /nonexistent (--dnn-dir)',
    ]);
  });

  it('stops after info when there is no WebGPU adapter', async () => {
    const fake = fakeRunner({
      info: { seconds: 1, info: { backend: 'cpu', reason: 'no Vulkan ICD found' } },
    });
    const run = await executePlan(plan, {
      budgetS: 500,
      parts: new Set(GPU_BENCH_PARTS),
      dnnDir: '/d',
      ...fake,
    });
    expect(run.noAdapter).toBe('no Vulkan ICD found');
    expect(fake.calls).toEqual(['info']);
  });

  it("calls a DNN step's wrong categories a mismatch from its JSON, whatever its log's tail holds", async () => {
    const fake = fakeRunner({
      info: { seconds: 1, info: { backend: 'webgpu' } },
      g1: { seconds: 1 },
      g2: { seconds: 1 },
      g3: { seconds: 1 },
      s1: { seconds: 1 },
      // A badly wrong run prints long lists of image numbers: the verdict is not in the last 2000 characters.
      d1: { seconds: 1, exit: 1, json: { truth: { match: false } }, tail: '1 2 3 4 5 6 7 8 9 '.repeat(200) },
    });
    const { steps } = await executePlan(plan, {
      budgetS: 500,
      parts: new Set(GPU_BENCH_PARTS),
      dnnDir: tmpdir(), // exists: the fake runner never reads it
      ...fake,
    });
    expect(steps.find((s) => s.name === 'd1')).toMatchObject({
      status: 'failed',
      reason: 'categories differ from the truth file',
    });
  });
});
