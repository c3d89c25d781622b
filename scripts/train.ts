// Train the tiny pair: a small GPT-2 on the generated Python-like tasks (src/train/tasks.ts), densely and
// with the weight-sparse recipe of Gao et al. 2025, on the CPU, deterministic from --seed.
//
//   npx tsx scripts/train.ts --run dense|sparse|both --steps N --seed S --out public/models/tiny-pair
//   npx tsx scripts/train.ts --quick            (CI: a tiny model, a few steps, into a temp folder)
//
// Each run writes {out}/{run}.safetensors (HF GPT-2 layout) and {out}/{run}.run.json (log, evals, timing).
// When both runs' files are there, the summary is (re)written: config.json, vocab.json, metrics.json,
// train-log.txt, evaluated on the held-out set. The two runs may be started as two processes at once.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { choiceFlag, numberFlag, parseArgs, stringFlag } from '../src/cli/args';
import type { Gpt2Config } from '../src/model/config';
import { loadHfGpt2 } from '../src/model/hfGpt2';
import { sparsifyModel } from '../src/model/sparsify';
import { type Gpt2Weights, linearsOf } from '../src/model/weights';
import { type CheckpointDtype, hfConfigJson, toHfSafetensors } from '../src/train/checkpoint';
import { answerLogits, answerLogitsCpu, evaluateTasks, scoreTasks } from '../src/train/evaluate';
import { accuracyTable, type EvalPoint, type RunName, type RunRecord, runLogText } from '../src/train/report';
import type { SparseRecipe } from '../src/train/sparseSchedule';
import { HELD_OUT_SEED, heldOutSet, TASKS, VOCAB, WORDS } from '../src/train/tasks';
import { type StepLog, TrainingRun, trainingSnippets } from '../src/train/trainer';

const args = parseArgs(process.argv.slice(2));
const quick = args.flags.has('quick');
const which = choiceFlag(args, 'run', ['dense', 'sparse', 'both', 'summary'] as const, 'both');
const out = stringFlag(
  args,
  'out',
  quick ? join(tmpdir(), 'sparsescope-train-quick') : 'public/models/tiny-pair',
)!;
const steps = numberFlag(args, 'steps', quick ? 6 : 1600);
const seed = numberFlag(args, 'seed', 1);
const batch = numberFlag(args, 'batch', quick ? 2 : 16);
const lr = numberFlag(args, 'lr', 3e-3);
// The sparse run's lr is scaled by √(target/density) (0.18 while dense), so it starts from a higher base.
const sparseLr = numberFlag(args, 'sparse-lr', 6e-3);
const dtype = choiceFlag(args, 'dtype', ['F32', 'F16'] as const, 'F32') as CheckpointDtype;
const evalEvery = numberFlag(args, 'eval-every', quick ? 0 : 250);
const logEvery = numberFlag(args, 'log-every', quick ? 1 : 10);
const heldOutPerTask = numberFlag(args, 'held-out', quick ? 8 : 1000);
/** The first this-many held-out examples per task are also run through forwardCpu (the unit test's set). */
const testSubsetPerTask = Math.min(heldOutPerTask, quick ? 4 : 100);
const config: Gpt2Config = {
  nLayer: numberFlag(args, 'layers', 2),
  nHead: numberFlag(args, 'heads', quick ? 2 : 4),
  dModel: numberFlag(args, 'd', quick ? 16 : 64),
  dMlp: numberFlag(args, 'mlp', quick ? 32 : 256),
  nCtx: numberFlag(args, 'ctx', 64),
  vocabSize: VOCAB.length,
  layerNormEps: 1e-5,
};
const recipe: SparseRecipe = {
  targetDensity: numberFlag(args, 'target', 1 / 32),
  minPerNeuron: numberFlag(args, 'min-per-neuron', 2),
  annealFraction: numberFlag(args, 'anneal', 0.5),
};
const command = `npx tsx scripts/train.ts ${process.argv.slice(2).join(' ')}`;
mkdirSync(out, { recursive: true });

function train(run: RunName): void {
  const t0 = performance.now();
  const trainer = new TrainingRun({
    config,
    seed,
    steps,
    batch,
    lr: run === 'sparse' ? sparseLr : lr,
    sparse: run === 'sparse' ? recipe : undefined,
  });
  const evalSet = heldOutSet(HELD_OUT_SEED + 1, 64); // a small, separate set for curves during training
  const log: StepLog[] = [];
  const evals: EvalPoint[] = [];
  for (let s = 1; s <= steps; s++) {
    const l = trainer.trainStep();
    if (s % logEvery === 0 || s === 1 || s === steps) {
      log.push(l);
      const elapsed = (performance.now() - t0) / 1000;
      console.log(
        `[${run}] step ${s}/${steps} loss ${l.loss.toFixed(4)} lr ${l.lr.toExponential(2)} ` +
          `nonzero ${l.nonzeroFraction.toFixed(4)} ${l.ms.toFixed(0)} ms/step, ${elapsed.toFixed(0)} s`,
      );
    }
    if (evalEvery > 0 && (s % evalEvery === 0 || s === steps)) {
      const scores = evaluateTasks(trainer.weights, evalSet);
      evals.push({ step: s, scores });
      console.log(
        `[${run}] eval ${s}: ${scores.map((x) => `${x.task} ${(100 * x.accuracy).toFixed(1)}%`).join(', ')}`,
      );
    }
  }
  const perMatrix: Record<string, number> = {};
  let kept = 0;
  let total = 0;
  for (const [name, lin] of linearsOf(trainer.weights)) {
    let nz = 0;
    for (let i = 0; i < lin.w.length; i++) if (lin.w[i] !== 0) nz++;
    perMatrix[name] = nz;
    kept += nz;
    total += lin.w.length;
  }
  const bytes = toHfSafetensors(trainer.weights, dtype, { run, seed: String(seed), steps: String(steps) });
  writeFileSync(join(out, `${run}.safetensors`), bytes);
  const record: RunRecord = {
    run,
    command,
    seed,
    steps,
    batch,
    lr: run === 'sparse' ? sparseLr : lr,
    config,
    sparse: run === 'sparse' ? recipe : null,
    wallSeconds: (performance.now() - t0) / 1000,
    log,
    evals,
    nonzero: { kept, total, perMatrix },
    node: `${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'})`,
  };
  writeFileSync(join(out, `${run}.run.json`), `${JSON.stringify(record, null, 1)}\n`);
  console.log(
    `[${run}] wrote ${run}.safetensors (${bytes.length} bytes) in ${record.wallSeconds.toFixed(0)} s`,
  );
}

/** Evaluate both checkpoints (loaded back through the app's loader) and write the summary files. */
function summarize(): void {
  const runs: RunName[] = ['dense', 'sparse'];
  if (
    !runs.every((r) => existsSync(join(out, `${r}.run.json`)) && existsSync(join(out, `${r}.safetensors`)))
  ) {
    console.log(`summary waits for both runs in ${out}`);
    return;
  }
  const records = runs.map((r) => JSON.parse(readFileSync(join(out, `${r}.run.json`), 'utf8')) as RunRecord);
  const cfg = records[0].config;
  const configJson = JSON.stringify(hfConfigJson(cfg), null, 2);
  writeFileSync(join(out, 'config.json'), `${configJson}\n`);
  const examples = heldOutSet(HELD_OUT_SEED, heldOutPerTask);
  const loaded = runs.map((r) => {
    const bytes = new Uint8Array(readFileSync(join(out, `${r}.safetensors`)));
    return {
      bytes: bytes.length,
      weights: loadHfGpt2(bytes, { fileName: `${r}.safetensors`, configJson }).weights,
    };
  });
  const scores = loaded.map(({ bytes, weights }, i) => {
    const rows = answerLogits(weights, examples);
    // The snippet space is finite: some held-out texts also occur in the training stream. Score the
    // held-out examples this run never trained on separately.
    const seen = trainingSnippets(records[i]);
    const unseen = examples.map((e, j) => [e, j] as const).filter(([e]) => !seen.has(e.text));
    return {
      bytes,
      scores: scoreTasks(rows, examples),
      unseen: scoreTasks(
        unseen.map(([, j]) => rows[j]),
        unseen.map(([e]) => e),
      ),
    };
  });
  // The unit test's set, through forwardCpu: dense path for the dense model, CSR path for the sparse one.
  const subset = heldOutSet(HELD_OUT_SEED, testSubsetPerTask);
  const sparseTwin = sparsifyModel(loaded[1].weights, { density: 'exact' });
  const testSubset = {
    perTask: testSubsetPerTask,
    how: 'forwardCpu on each prompt; dense model on the dense path, sparse model on its CSR (sparse) path',
    dense: scoreTasks(answerLogitsCpu(loaded[0].weights, subset, 'dense'), subset),
    sparse: scoreTasks(answerLogitsCpu(sparseTwin, subset, 'sparse'), subset),
    sparseCsrNnz: sparseTwin.sparsity?.matrices.reduce((s, m) => s + m.kept, 0),
  };
  // Would F16 files do? Round every weight through F16 and score again (the files stay F32).
  const f16 = loaded.map(({ weights }) => {
    const bytes = toHfSafetensors(weights, 'F16');
    const w16: Gpt2Weights = loadHfGpt2(bytes, { configJson }).weights;
    return { bytes: bytes.length, scores: evaluateTasks(w16, examples) };
  });
  const vocab = {
    vocabulary: VOCAB,
    tasks: TASKS,
    words: WORDS,
    heldOut: { seed: HELD_OUT_SEED, perTask: heldOutPerTask },
  };
  writeFileSync(join(out, 'vocab.json'), `${JSON.stringify(vocab, null, 2)}\n`);
  const metrics = {
    heldOut: {
      seed: HELD_OUT_SEED,
      perTask: heldOutPerTask,
      accuracy: 'argmax of the next-character distribution over the whole vocabulary = the answer',
      binaryAccuracy: "the answer's logit above the other candidate's",
      chance: Object.fromEntries(TASKS.map((t) => [t.name, t.chance])),
    },
    testSubset: { perTask: testSubset.perTask, how: testSubset.how, sparseCsrNnz: testSubset.sparseCsrNnz },
    runs: Object.fromEntries(
      runs.map((r, i) => {
        const rec = records[i];
        return [
          r,
          {
            command: rec.command,
            seed: rec.seed,
            steps: rec.steps,
            batch: rec.batch,
            lr: rec.lr,
            sparse: rec.sparse,
            wallSeconds: Math.round(rec.wallSeconds),
            fileBytes: scores[i].bytes,
            finalLoss: rec.log[rec.log.length - 1]?.loss,
            meanLossLast100: meanLoss(rec.log, rec.steps - 100),
            nonzero: { ...rec.nonzero, fraction: rec.nonzero.kept / rec.nonzero.total },
            heldOutScores: scores[i].scores,
            unseenHeldOutScores: scores[i].unseen,
            testSubsetScores: i === 0 ? testSubset.dense : testSubset.sparse,
            f16Check: { fileBytes: f16[i].bytes, heldOutScores: f16[i].scores },
            evals: rec.evals,
            lossCurve: rec.log.map((l) => [l.step, Number(l.loss.toFixed(4))]),
          },
        ];
      }),
    ),
  };
  writeFileSync(join(out, 'metrics.json'), `${JSON.stringify(metrics, null, 1)}\n`);
  writeFileSync(join(out, 'train-log.txt'), records.map(runLogText).join('\n'));
  console.log(`held-out (${heldOutPerTask} per task):\n${accuracyTable(scores[0].scores, scores[1].scores)}`);
  console.log(
    `held-out examples absent from that run's training stream:\n${accuracyTable(scores[0].unseen, scores[1].unseen)}`,
  );
}

function meanLoss(log: StepLog[], fromStep: number): number {
  const tail = log.filter((l) => l.step > fromStep);
  return tail.reduce((s, l) => s + l.loss, 0) / Math.max(1, tail.length);
}

if (which === 'dense' || which === 'both') train('dense');
if (which === 'sparse' || which === 'both') train('sparse');
summarize();
