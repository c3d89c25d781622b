// The predictions panel: both models' next-token guesses for the prompt, side by side; for the trained
// pair, example prompts one click away (each marked with which model gets it right) and the held-out
// accuracy of each model per task, as measured by the training script.
import { el } from '../scene/overlays';
import type { Prediction } from './workloads/workload';
import './predictions.css';

export interface ExampleRow {
  title: string; // e.g. "close the string"
  prompt: string;
  answer: string;
  /** Whether each model's most likely next token is the answer (filled in after they ran). */
  denseRight?: boolean;
  sparseRight?: boolean;
}

export interface AccuracyRow {
  task: string;
  dense: number;
  sparse: number;
  chance: number;
}

/** Show control characters so a prediction of "\n" or " " is visible. */
export function visibleToken(token: string): string {
  return token.replace(/\n/g, '⏎').replace(/ /g, '␣').replace(/\t/g, '⇥') || '∅';
}

export class PredictionsPanel {
  readonly root = el('aside', 'predictions');
  private readonly next = el('div', 'pred-next');
  private readonly examples = el('div', 'pred-examples');
  private readonly accuracy = el('div', 'pred-accuracy');

  constructor(
    parent: HTMLElement,
    private readonly onPick: (prompt: string) => void,
  ) {
    this.root.id = 'predictions';
    this.root.append(this.next, this.examples, this.accuracy);
    this.root.hidden = true;
    parent.append(this.root);
  }

  /** Next-token guesses of both paths (language models only; hides the panel for other workloads). */
  setPredictions(predictions: Prediction[] | undefined, note?: string): void {
    this.root.hidden = !predictions;
    this.next.replaceChildren();
    if (!predictions) return;
    this.next.append(el('h3', 'pred-heading', 'next token (after the last)'));
    if (note) this.next.append(el('p', 'pred-note', note));
    const grid = el('div', 'pred-grid');
    for (const p of predictions) {
      const col = el('div', `pred-col pred-${p.path}`);
      col.append(el('div', 'pred-path', p.path === 'sparse' ? 'sparse' : 'dense'));
      for (const t of p.top.slice(0, 3)) {
        const row = el('div', 'pred-row');
        row.append(
          el('code', 'pred-token', visibleToken(t.token)),
          el('span', 'pred-p', `${(100 * t.p).toFixed(1)}%`),
        );
        col.append(row);
      }
      grid.append(col);
    }
    this.next.append(grid);
  }

  setExamples(rows: ExampleRow[]): void {
    this.examples.replaceChildren();
    if (rows.length === 0) return;
    this.examples.append(el('h3', 'pred-heading', 'examples · expected next character'));
    for (const row of rows) {
      const button = el('button', 'pred-example');
      button.title = row.prompt;
      const mark = (ok: boolean | undefined, who: string) =>
        el(
          'span',
          `pred-mark ${ok === undefined ? '' : ok ? 'ok' : 'bad'}`,
          `${who} ${ok === undefined ? '·' : ok ? '✓' : '✗'}`,
        );
      button.append(
        el('span', 'pred-ex-title', row.title),
        el('code', 'pred-ex-answer', visibleToken(row.answer)),
        mark(row.denseRight, 'dense'),
        mark(row.sparseRight, 'sparse'),
      );
      button.addEventListener('click', () => this.onPick(row.prompt));
      this.examples.append(button);
    }
  }

  setAccuracy(rows: AccuracyRow[], note: string): void {
    this.accuracy.replaceChildren();
    if (rows.length === 0) return;
    this.accuracy.append(el('h3', 'pred-heading', 'held-out accuracy'));
    const table = el('table', 'pred-table');
    const head = el('tr', '');
    for (const h of ['task', 'dense', 'sparse', 'chance']) head.append(el('th', '', h));
    table.append(head);
    for (const r of rows) {
      const tr = el('tr', '');
      tr.append(
        el('td', '', r.task),
        el('td', 'pred-dense', `${(100 * r.dense).toFixed(1)}%`),
        el('td', 'pred-sparse', `${(100 * r.sparse).toFixed(1)}%`),
        el('td', 'pred-chance', `${(100 * r.chance).toFixed(0)}%`),
      );
      table.append(tr);
    }
    this.accuracy.append(table, el('div', 'pred-note', note));
  }
}
