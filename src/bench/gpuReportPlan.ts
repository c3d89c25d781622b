// What `sparsescope bench-gpu` runs: five parts, each a list of CLI invocations (steps) with a time budget.
// Each step runs as its own process of the same CLI through its normal entry point, so a part that hangs or
// runs long is stopped at its budget without losing the others, and the report says what was cut.
// Full: sized for a modern GPU, ≈ 8 of the 9 minutes at most. Quick: tiny sizes for SwiftShader (≈ 1 min).

export type GpuBenchPartName = 'info' | 'gemm' | 'sweep' | 'model' | 'dnn';

export const GPU_BENCH_PARTS: readonly GpuBenchPartName[] = ['info', 'gemm', 'sweep', 'model', 'dnn'];

export interface GpuBenchStep {
  part: GpuBenchPartName;
  /** Short name shown in the budget table ('GEMM 4096³', 'sweep batch 64'). */
  name: string;
  /** The CLI command and its arguments (the runner adds `--json FILE` where `result` is 'json'). */
  command: string;
  args: string[];
  /** Where the step's result comes from: its --json file, or its stdout (info prints JSON). */
  result: 'json' | 'stdout';
}

export interface GpuBenchPart {
  name: GpuBenchPartName;
  /** Seconds all of this part's steps may take together; a step still running at the end is stopped. */
  budgetS: number;
  steps: GpuBenchStep[];
}

export interface GpuBenchPlanOptions {
  quick: boolean;
  /** The Graph Challenge folder (n1024-l*.mtx, the images and the truth categories). */
  dnnDir: string;
  /** Re-tune the kernels on this adapter, ignoring any cached choice (passed to the sweep and bench-model). */
  retune: boolean;
}

/**
 * The autotuner's flag on `bench` and `bench-model`: tune this step's shapes again rather than reuse the
 * cached choices (each step tunes only the shapes it runs, so every step that takes it gets it).
 */
export const RETUNE_FLAG = '--retune';

/** A quick run tunes for 1 s per step (first use on SwiftShader would otherwise take 4–10 s of each). */
const QUICK_TUNING = (quick: boolean): string[] => (quick ? ['--tune-budget-ms', '1000'] : []);

/** Total seconds of a full run and of a quick one (the sum of the parts' budgets stays under it). */
export const TOTAL_BUDGET_S = { full: 540, quick: 240 } as const;

const DNN_FILES = {
  input: 'sparse-images-1024_subset.mtx',
  truth: 'neuron1024-l120-categories_subset.mtx',
};

export function gpuBenchPlan(options: GpuBenchPlanOptions): GpuBenchPart[] {
  const { quick, dnnDir } = options;
  const dnnArgs = [
    '--layers',
    dnnDir,
    '--input',
    `${dnnDir}/${DNN_FILES.input}`,
    '--truth',
    `${dnnDir}/${DNN_FILES.truth}`,
  ];
  const step = (
    part: GpuBenchPartName,
    name: string,
    command: string,
    args: string[],
    result: 'json' | 'stdout' = 'json',
  ): GpuBenchStep => ({ part, name, command, args, result });
  const info: GpuBenchPart = {
    name: 'info',
    budgetS: 30,
    steps: [step('info', 'info', 'info', [], 'stdout')],
  };
  // Square GEMM against tfjs-backend-webgpu, one size per process (a hang at 4096³ loses only that size).
  const gemmSizes = quick ? ['64,128'] : ['1024', '2048', '3072', '4096'];
  const gemm: GpuBenchPart = {
    name: 'gemm',
    budgetS: quick ? 45 : 100,
    steps: gemmSizes.map((s) =>
      step(
        'gemm',
        `GEMM ${s
          .split(',')
          .map((n) => `${n}³`)
          .join(', ')}`,
        'bench-peers',
        ['--sizes', s, '--rounds', quick ? '3' : '9', '--target-ms', quick ? '0' : '100'],
      ),
    ),
  };
  // The GPT-2 layer sweep through `sparsescope bench` (the kernels it picks are the ones the engine
  // runs), one batch per process; the first step also times square GEMMs with GPU timestamps.
  const sweepCommon = quick
    ? ['--shapes', '192x64,64x192', '--densities', '1,1/16', '--samples', '3', '--target-ms', '0']
    : ['--densities', '1,1/4,1/16,1/64,1/256,1/1024', '--samples', '9', '--target-ms', '2'];
  const batches = quick ? ['1,8'] : ['1', '64', '512'];
  const sweep: GpuBenchPart = {
    name: 'sweep',
    budgetS: quick ? 45 : 150,
    steps: batches.map((b, i) =>
      step('sweep', `sweep batch ${b}`, 'bench', [
        ...sweepCommon,
        '--batches',
        b,
        ...(i === 0 ? ['--gemm', quick ? '64' : '1024,2048,4096'] : []),
        ...(options.retune ? [RETUNE_FLAG] : []),
        ...QUICK_TUNING(quick),
      ]),
    ),
  };
  const model: GpuBenchPart = {
    name: 'model',
    budgetS: quick ? 60 : 150,
    steps: [
      quick
        ? step('model', 'tiny: prefill 1, 8; decode', 'bench-model', [
            '--model',
            'tiny',
            '--prefill',
            '1,8',
            '--decode-at',
            '8',
            '--densities',
            '1/64',
            '--samples',
            '3',
            '--budget-ms',
            '0',
            ...QUICK_TUNING(quick),
          ])
        : step('model', 'gpt2-small: prefill 1, 64, 256; decode', 'bench-model', [
            '--model',
            'gpt2-small',
            '--prefill',
            '1,64,256',
            '--densities',
            '1/64',
            '--samples',
            '5',
            '--max-total-ms',
            '90000',
            ...(options.retune ? [RETUNE_FLAG] : []),
          ]),
    ],
  };
  const dnn: GpuBenchPart = {
    name: 'dnn',
    budgetS: quick ? 40 : 70,
    steps: quick
      ? [
          // Images 251–450 hold 5 of the 19 true categories (the first 200 hold none).
          step('dnn', 'DNN, images 251–450, live rows', 'dnn', [
            ...dnnArgs,
            '--first',
            '251',
            '--images',
            '200',
            '--repeat',
            '2',
          ]),
        ]
      : [
          step('dnn', 'DNN, live rows', 'dnn', [...dnnArgs, '--repeat', '5']),
          step('dnn', 'DNN, every image', 'dnn', [...dnnArgs, '--gpu-kernel', 'all-rows', '--repeat', '3']),
        ],
  };
  return [info, gemm, sweep, model, dnn];
}
