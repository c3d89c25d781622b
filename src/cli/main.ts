// `sparsescope <command>`: info, spmm, bench, run, dnn.
import { parseArgs, UsageError } from './args';
import { infoCommand } from './info';

const USAGE = `usage: sparsescope <command> [options]

commands:
  info                       adapter, features and limits as JSON
  spmm --matrix A.mtx ...    Y = A·X for a Matrix Market matrix, on the GPU or CPU
  bench [--json out.json]    dense vs CSR kernel sweeps
  bench-model [--model M]    whole-model prefill/decode timings, dense vs sparse
  bench-peers [--sizes N]    dense GEMM vs tfjs-backend-webgpu on the same adapter
  bench-gpu [--quick]        the real-GPU report: all of the above in one go, to docs/bench/gpu-<adapter>
  run --model M --prompt T   GPT-2 forward pass, dense or sparse, with per-layer timings
  dnn --layers DIR --input F Graph Challenge sparse DNN inference
  circuit --model M --task T --json F   the smallest node set that still does a task (sparsescope-circuit/1)

common options: --backend webgpu|cpu (default webgpu; falls back to the CPU with a message)`;

type Command = (args: ReturnType<typeof parseArgs>) => Promise<number>;

const commands: Record<string, () => Promise<Command>> = {
  info: async () => infoCommand,
  run: async () => (await import('./run')).runCommand,
  spmm: async () => (await import('./spmm')).spmmCommand,
  bench: async () => (await import('./bench')).benchCommand,
  'bench-model': async () => (await import('./benchModel')).benchModelCommand,
  'bench-peers': async () => (await import('./benchPeers')).benchPeersCommand,
  'bench-gpu': async () => (await import('./benchGpu')).benchGpuCommand,
  dnn: async () => (await import('./dnn')).dnnCommand,
  circuit: async () => (await import('./circuit')).circuitCommand,
};

/** Register a command lazily (keeps start-up fast and lets modules own their commands). */
export function registerCommand(name: string, load: () => Promise<Command>): void {
  commands[name] = load;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(USAGE);
    return name ? 0 : 2;
  }
  const load = Object.hasOwn(commands, name) ? commands[name] : undefined; // never a prototype member
  if (!load) {
    console.error(`sparsescope: unknown command "${name.slice(0, 100)}"\n\n${USAGE}`);
    return 2;
  }
  try {
    const command = await load();
    const status = await command(parseArgs(rest));
    // A GPU error outside every error scope still means the numbers printed cannot be trusted.
    const { uncapturedGpuErrors } = await import('./gpu');
    if (uncapturedGpuErrors.length > 0) {
      console.error(
        `sparsescope ${name}: ${uncapturedGpuErrors.length} WebGPU error(s) during the run; its results are not valid`,
      );
      return 1;
    }
    return status;
  } catch (err) {
    if (err instanceof Error && err.name === 'HelpRequested') {
      console.log(`usage: sparsescope ${name} [options]\n${err.message}`);
      return 0;
    }
    if (err instanceof UsageError) {
      console.error(`sparsescope ${name}: ${err.message}`);
      return 2;
    }
    // The message only (no stack): every error the CLI raises names its input; cap it for hostile inputs.
    const message = err instanceof Error ? err.message : String(err);
    console.error(`sparsescope ${name}: ${message.length > 1000 ? `${message.slice(0, 1000)}…` : message}`);
    return 1;
  }
}
