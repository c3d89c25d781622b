// `sparsescope <command>`: info, spmm, bench, run, dnn.
import { parseArgs, UsageError } from './args';
import { infoCommand } from './info';

const USAGE = `usage: sparsescope <command> [options]

commands:
  info                       adapter, features and limits as JSON
  spmm --matrix A.mtx ...    Y = A·X for a Matrix Market matrix, on the GPU or CPU
  bench [--json out.json]    dense vs CSR kernel sweeps
  bench-model [--model M]    whole-model prefill/decode timings, dense vs sparse
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
  const load = commands[name];
  if (!load) {
    console.error(`sparsescope: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  try {
    const command = await load();
    return await command(parseArgs(rest));
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`sparsescope ${name}: ${err.message}`);
      return 2;
    }
    console.error(`sparsescope ${name}: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}
