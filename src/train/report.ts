// Plain-data records of a training run and the text tables the CLI writes (train-log.txt, docs table).
// No Node APIs: the CLI does the file I/O.

import type { Gpt2Config } from '../model/config';
import type { TaskScore } from './evaluate';
import type { SparseRecipe } from './sparseSchedule';
import { TASKS } from './tasks';
import type { StepLog } from './trainer';

export type RunName = 'dense' | 'sparse';

export interface EvalPoint {
  step: number;
  scores: TaskScore[];
}

/** What one run leaves behind besides its checkpoint ({run}.run.json next to it). */
export interface RunRecord {
  run: RunName;
  command: string;
  seed: number;
  steps: number;
  batch: number;
  lr: number;
  config: Gpt2Config;
  sparse: SparseRecipe | null;
  wallSeconds: number;
  /** Every `logEvery`-th step. */
  log: StepLog[];
  evals: EvalPoint[];
  /** Nonzeros of the block matrices at the end and their total. */
  nonzero: { kept: number; total: number; perMatrix: Record<string, number> };
  node: string;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** Per-task markdown table of both runs' scores (n: examples, 'dense / sparse' where they differ). */
export function accuracyTable(dense: TaskScore[], sparse: TaskScore[]): string {
  const lines = [
    '| task | n | chance | dense argmax | sparse argmax | dense binary | sparse binary | dense answer loss | sparse answer loss |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const info of TASKS) {
    const d = dense.find((s) => s.task === info.name);
    const s = sparse.find((x) => x.task === info.name);
    if (!d || !s) continue;
    lines.push(
      `| ${info.name} | ${d.n === s.n ? d.n : `${d.n} / ${s.n}`} | ${pct(info.chance)} | ${pct(d.accuracy)} | ${pct(s.accuracy)} | ` +
        `${pct(d.binaryAccuracy)} | ${pct(s.binaryAccuracy)} | ${d.answerLoss.toFixed(3)} | ${s.answerLoss.toFixed(3)} |`,
    );
  }
  return lines.join('\n');
}

/** One line per logged step, then the evaluations, for train-log.txt. */
export function runLogText(record: RunRecord): string {
  const out = [
    `# ${record.run} run: ${record.command}`,
    `# config ${JSON.stringify(record.config)} batch ${record.batch} lr ${record.lr} seed ${record.seed}` +
      (record.sparse ? ` sparse ${JSON.stringify(record.sparse)}` : ''),
    `# wall ${record.wallSeconds.toFixed(0)} s on ${record.node}`,
    '# step  loss    lr        gradNorm  density  nonzero  ms',
  ];
  for (const l of record.log) {
    out.push(
      `${String(l.step).padStart(6)}  ${l.loss.toFixed(4)}  ${l.lr.toExponential(2)}  ${l.gradNorm.toFixed(3).padStart(8)}` +
        `  ${l.density.toFixed(4)}   ${l.nonzeroFraction.toFixed(4)}   ${l.ms.toFixed(0)}`,
    );
  }
  for (const e of record.evals) {
    const parts = e.scores.map((s) => `${s.task} ${pct(s.accuracy)} (binary ${pct(s.binaryAccuracy)})`);
    out.push(`# eval step ${e.step}: ${parts.join(', ')}`);
  }
  return `${out.join('\n')}\n`;
}
