// The status line (backend, adapter, why the CPU when it is the CPU, what the timings are) and the
// headline (both forward times and the speedup, from one run, with the timer source).

import type { BackendKind } from '../contracts';
import { el } from '../scene/overlays';
import { formatMs, type TimingSummary } from '../scene/timingModel';

export interface BackendStatus {
  kind: BackendKind;
  /** Why the CPU (WebGPU missing, adapter refused, user's choice). */
  reason?: string;
  /** Adapter label when on WebGPU. */
  adapter?: string;
}

export class StatusLine {
  readonly root: HTMLElement;
  private readonly backend = el('span', 'status-backend');
  private readonly note = el('span', 'status-note');
  private readonly counts = el('span', 'status-counts');

  constructor(parent: HTMLElement) {
    this.root = el('footer', 'status-line');
    this.root.id = 'status';
    this.root.append(this.backend, this.note, this.counts);
    parent.append(this.root);
  }

  setBackend(status: BackendStatus): void {
    this.backend.dataset.kind = status.kind;
    this.backend.textContent =
      status.kind === 'webgpu'
        ? `WebGPU · ${status.adapter ?? 'adapter'}`
        : `CPU${status.reason ? ` — ${status.reason}` : ''}`;
  }

  setNote(text: string): void {
    this.note.textContent = text;
    this.note.hidden = text === '';
  }

  setCounts(text: string): void {
    this.counts.textContent = text;
  }
}

export class Headline {
  readonly root: HTMLElement;

  constructor(parent: HTMLElement) {
    this.root = el('header', 'headline');
    parent.append(el('div', 'brand', 'Sparsescope'), this.root);
  }

  /** `note` replaces the timer source when the numbers are not measurements (demo data). */
  set(summary: TimingSummary | null, note?: string): void {
    const r = this.root;
    r.replaceChildren();
    if (!summary || (summary.sparse.totalMs === 0 && summary.dense.totalMs === 0)) return;
    const line = el('div', 'headline-times');
    const sparse = el('span', 'headline-sparse', `sparse ${formatMs(summary.sparse.totalMs)}`);
    const dense = el('span', 'headline-dense', `dense ${formatMs(summary.dense.totalMs)}`);
    line.append(sparse, el('span', 'headline-sep', ' vs '), dense);
    if (summary.speedup !== null) {
      const speedup = el('span', 'headline-speedup', ` ${summary.speedup.toFixed(1)}× faster sparse`);
      speedup.dataset.speedup = String(summary.speedup);
      if (summary.speedup < 1) speedup.textContent = ` ${(1 / summary.speedup).toFixed(1)}× slower sparse`;
      line.append(speedup);
    }
    const source = el('div', 'headline-source', note ?? `per-layer forward times · ${summary.sourceLabel}`);
    source.dataset.source = summary.sourceLabel;
    r.append(line, source);
  }
}
