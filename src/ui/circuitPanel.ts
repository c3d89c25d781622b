// The circuit panel (DOM only): circuit mode on/off, the task, the headline (sparse vs dense edges kept),
// per network nodes/edges kept and loss/accuracy full vs circuit vs control, the clicked node's effect, and
// "find again" with progress and cancel. circuitMode.ts drives it.

import type { CircuitJson } from '../circuit/circuitJson';
import { TASKS, type TaskName } from '../train/tasks';
import './circuit.css';

const SIDES = ['sparse', 'dense'] as const;
type Side = (typeof SIDES)[number];

const count = (n: number) => n.toLocaleString('en-US');
const nats = (x: number) => x.toFixed(3);
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className = '',
  text = '',
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text) node.textContent = text;
  return node;
}

export class CircuitPanel {
  readonly root = el('section', 'circuit-panel');
  readonly toggle = el('input');
  readonly task = el('select');
  private readonly headline = el('div', 'circuit-headline');
  private readonly table = el('table', 'circuit-table');
  private readonly node = el('div', 'circuit-node');
  private readonly find = el('button', 'circuit-find', 'find again (live, in a worker)');
  private readonly cancel = el('button', 'circuit-cancel', 'cancel');
  private readonly progress = el('progress');
  private readonly message = el('div', 'circuit-message');
  onToggle: (on: boolean) => void = () => {};
  onTask: (task: TaskName) => void = () => {};
  onFind: () => void = () => {};
  onCancel: () => void = () => {};

  constructor(parent: HTMLElement) {
    this.root.dataset.testid = 'circuit-panel';
    const header = el('header');
    const label = el('label', 'circuit-switch');
    this.toggle.type = 'checkbox';
    this.toggle.dataset.testid = 'circuit-toggle';
    label.append(this.toggle, document.createTextNode(' circuit mode'));
    this.task.dataset.testid = 'circuit-task';
    for (const t of TASKS) this.task.append(new Option(t.title, t.name));
    header.append(label, this.task);
    this.table.dataset.testid = 'circuit-table';
    this.headline.dataset.testid = 'circuit-headline';
    this.node.dataset.testid = 'circuit-node';
    this.find.dataset.testid = 'circuit-find';
    this.cancel.dataset.testid = 'circuit-cancel';
    this.progress.max = 1;
    this.message.dataset.testid = 'circuit-message';
    const actions = el('div', 'circuit-actions');
    actions.append(this.find, this.cancel);
    this.root.append(header, this.headline, this.table, this.node, actions, this.progress, this.message);
    parent.append(this.root);
    this.toggle.addEventListener('change', () => this.onToggle(this.toggle.checked));
    this.task.addEventListener('change', () => this.onTask(this.task.value as TaskName));
    this.find.addEventListener('click', () => this.onFind());
    this.cancel.addEventListener('click', () => this.onCancel());
    this.setActive(false);
    this.setBusy(false);
  }

  setActive(on: boolean): void {
    this.toggle.checked = on;
    this.root.classList.toggle('active', on);
    this.root.parentElement?.classList.toggle('circuit-on', on);
    for (const part of [this.headline, this.table, this.node]) part.hidden = !on;
    this.find.hidden = !on;
    if (!on) this.setMessage('');
  }

  setBusy(busy: boolean, fraction = 0, what = ''): void {
    this.progress.hidden = !busy;
    this.progress.value = fraction;
    this.cancel.hidden = !busy;
    this.find.disabled = busy;
    this.task.disabled = busy;
    if (busy) this.setMessage(what);
  }

  setMessage(text: string, error = false): void {
    this.message.textContent = text;
    this.message.classList.toggle('error', error);
  }

  setNode(text: string): void {
    this.node.textContent = text;
  }

  /** Both circuits' numbers; `source` says where they came from (precomputed file or live). */
  show(circuits: Record<Side, CircuitJson>, source: string): void {
    const { sparse, dense } = circuits;
    const ratio = dense.edges / Math.max(1, sparse.edges);
    this.headline.replaceChildren(
      el('span', 'big', `${ratio.toFixed(1)}× fewer edges`),
      document.createTextNode(
        ` in the sparse network's circuit (${count(sparse.edges)} vs ${count(dense.edges)})`,
      ),
    );
    const rows: [string, (j: CircuitJson) => string, string?][] = [
      ['nodes', (j) => `${count(j.nodeCount)} / ${count(j.details.totalNodes)}`, 'nodes'],
      ['edges', (j) => `${count(j.edges)} / ${count(j.details.totalEdges)}`, 'edges'],
      ['loss full', (j) => nats(j.loss.full)],
      ['loss circuit', (j) => nats(j.loss.circuit)],
      ['loss control', (j) => nats(j.loss.control)],
      ['all ablated', (j) => nats(j.loss.ablated)],
      [`${sparse.details.otherAblation.ablation}-ablated`, (j) => nats(j.details.otherAblation.loss)],
      ['accuracy', (j) => `${pct(j.accuracy.full)}→${pct(j.accuracy.circuit)}`],
    ];
    const head = el('tr');
    head.append(
      el('th', '', `${sparse.ablation}-ablation (nats)`),
      el('th', 'sparse', 'sparse'),
      el('th', 'dense', 'dense'),
    );
    const body = rows.map(([name, cell, id]) => {
      const tr = el('tr');
      tr.append(el('td', '', name));
      for (const side of SIDES) {
        const td = el('td', side, cell(circuits[side]));
        if (id) {
          td.dataset.testid = `circuit-${id}-${side}`;
          td.dataset.value = String(id === 'nodes' ? circuits[side].nodeCount : circuits[side].edges);
        }
        tr.append(td);
      }
      return tr;
    });
    this.table.replaceChildren(head, ...body);
    this.setMessage(
      `${source} · target loss ${nats(sparse.targetLoss)} / ${nats(dense.targetLoss)} (full + 0.1) · control: same size, shuffled answers`,
    );
    this.setNode('click a bright neuron: how much the task loss rises when it alone is removed');
  }

  /** A circuit given by a file (one model, no task, no discovery): its rows as (name, value, test id). */
  showGiven(headline: string, rows: [string, string, string?][], source: string): void {
    this.headline.textContent = headline;
    this.table.replaceChildren(
      ...rows.map(([name, value, id]) => {
        const tr = el('tr');
        const td = el('td', 'sparse', value);
        if (id) td.dataset.testid = `circuit-${id}`;
        tr.append(el('td', '', name), td);
        return tr;
      }),
    );
    this.find.hidden = true;
    this.setMessage(source);
    this.setNode('');
  }
}
