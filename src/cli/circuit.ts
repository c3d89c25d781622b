// `sparsescope circuit --model FILE.safetensors --task quote|bracket|setOrStr [--target-loss L]
//   [--ablation mean|zero] [--seed S] [--steps N] [--train-examples N] [--eval-examples N] --json out.json`: find the task's circuit (src/circuit),
// print its size and losses, and write the sparsescope-circuit/1 file.
import { writeFileSync } from 'node:fs';
import type { CircuitJson } from '../circuit/circuitJson';
import { circuitToJson } from '../circuit/circuitJson';
import { discoverCircuit } from '../circuit/discover';
import { TASKS, type TaskName, VOCAB } from '../train/tasks';
import { choiceFlag, numberFlag, type ParsedArgs, stringFlag, UsageError } from './args';
import { type FlagTable, flag, strictFlags } from './flags';
import { loadModel } from './loadModel';

const TASK_NAMES = TASKS.map((t) => t.name) as TaskName[];
const ABLATIONS = ['mean', 'zero'] as const;

export function circuitSummary(json: CircuitJson): string {
  const { loss, accuracy, details } = json;
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
  return [
    `task ${json.task} · ${json.ablation}-ablation · target loss ${json.targetLoss.toFixed(4)}`,
    `circuit: ${json.nodeCount} of ${details.totalNodes} nodes, ${json.edges} of ${details.totalEdges} edges`,
    `loss (nats): full ${loss.full.toFixed(4)} · circuit ${loss.circuit.toFixed(4)} · everything ablated ${loss.ablated.toFixed(4)} · control (shuffled answers, same size) ${loss.control.toFixed(4)}`,
    `accuracy: full ${pct(accuracy.full)} · circuit ${pct(accuracy.circuit)}`,
    `the same circuit with ${details.otherAblation.ablation}-ablation: loss ${details.otherAblation.loss.toFixed(4)}, accuracy ${pct(details.otherAblation.accuracy)}`,
    `nodes per location: ${Object.entries(json.nodes)
      .map(([name, ids]) => `${name} ${ids.length}`)
      .join(', ')}`,
    `edges per matrix: ${Object.entries(details.edgesByMatrix)
      .map(([name, n]) => `${name} ${n}`)
      .join(', ')}`,
    `${details.seconds.toFixed(1)} s`,
  ].join('\n');
}

/** Every flag `circuit` takes. */
const CIRCUIT_FLAGS = {
  model: flag.text('FILE.safetensors'),
  task: flag.choice(TASK_NAMES),
  ablation: flag.choice(ABLATIONS),
  'target-loss': flag.number(0, undefined, 'nats, above 0'),
  seed: flag.seed(),
  steps: flag.int(1, 1_000_000),
  'train-examples': flag.int(1, 500),
  'eval-examples': flag.int(1, 500),
  json: flag.text('out.json'),
} satisfies FlagTable;

export async function circuitCommand(rawArgs: ParsedArgs): Promise<number> {
  const args = strictFlags(rawArgs, CIRCUIT_FLAGS);
  const modelSpec = stringFlag(args, 'model');
  if (!modelSpec) throw new UsageError('--model FILE.safetensors is required');
  // Ranges and choices are checked by strictFlags against CIRCUIT_FLAGS; only presence and the
  // strictness the table cannot say (a target loss above 0, not at it) are checked here.
  const task = stringFlag(args, 'task') as TaskName | undefined;
  if (!task) throw new UsageError(`--task is required (${TASK_NAMES.join(', ')})`);
  const ablation = choiceFlag(args, 'ablation', ABLATIONS, 'mean');
  const target = stringFlag(args, 'target-loss');
  const targetLoss = target === undefined ? undefined : Number(target);
  if (targetLoss === 0) throw new UsageError('--target-loss must be above 0 nats');
  const seed = numberFlag(args, 'seed', 1);
  const steps = numberFlag(args, 'steps', 120);
  const trainExamples = numberFlag(args, 'train-examples', 128);
  const evalExamples = numberFlag(args, 'eval-examples', 200);
  const out = stringFlag(args, 'json');
  if (!out) throw new UsageError('--json out.json is required');
  const { name, weights, warnings } = loadModel(modelSpec, seed);
  for (const w of warnings) console.error(`warning: ${w}`);
  if (weights.config.vocabSize !== VOCAB.length)
    throw new UsageError(
      `the tasks are written in the tiny pair's ${VOCAB.length}-character vocabulary; this model has ${weights.config.vocabSize} tokens`,
    );
  let last = -1;
  const finding = await discoverCircuit(weights, {
    task,
    ablation,
    targetLoss,
    seed,
    steps,
    trainExamples,
    evalExamples,
    onProgress: (f, what) => {
      const tenth = Math.floor(f * 10);
      if (tenth !== last && process.stderr.isTTY) process.stderr.write(`\r${what.padEnd(60)}`);
      last = tenth;
    },
  });
  if (process.stderr.isTTY) process.stderr.write(`${'\r'.padEnd(62)}\r`);
  const json = circuitToJson(weights, finding, name);
  writeFileSync(out, `${JSON.stringify(json)}\n`);
  console.log(circuitSummary(json));
  console.log(`wrote ${out}`);
  return 0;
}
