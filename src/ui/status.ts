// The status line (backend, adapter, why the CPU when it is the CPU, what the timings are) and the
// headline (both forward times and the speedup, from one run, with the timer source).

import type { BackendKind, MeasureProgress, MeasureSummary, Spread } from '../contracts';
import { el } from '../scene/overlays';
import type { TimingSummary } from '../scene/timingModel';
import { collectingText, headlineText } from '../scene/timingText';

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
  private readonly collecting = el('div', 'headline-collecting');
  /** 'CPU' or 'WebGPU', shown with the timer source. */
  backend = '';

  constructor(parent: HTMLElement) {
    this.root = el('header', 'headline');
    this.collecting.hidden = true;
    parent.append(el('div', 'brand', 'Sparsescope'), this.root);
  }

  /** While the protocol collects samples: the last numbers stay, with what is being measured now. */
  progress(progress: MeasureProgress | 'warming up'): void {
    this.collecting.textContent = progress === 'warming up' ? 'warming up…' : collectingText(progress);
    this.collecting.hidden = false;
    this.root.dataset.state = 'collecting';
    if (!this.collecting.isConnected) this.root.append(this.collecting);
  }

  /** A run ended without results (an error): stop saying samples are being collected. */
  stopProgress(): void {
    this.collecting.hidden = true;
    this.root.dataset.state = 'done';
  }

  /**
   * `note` replaces the timer source when the numbers are not measurements (demo data). With `measure`,
   * the totals are the protocol's (medians of per-run sums, with their spread); else the summary's.
   */
  set(summary: TimingSummary | null, note?: string, measure?: MeasureSummary): void {
    const r = this.root;
    r.replaceChildren();
    this.collecting.hidden = true;
    r.dataset.state = 'done';
    if (!summary || (summary.sparse.totalMs === 0 && summary.dense.totalMs === 0)) return;
    const one = (ms: number): Spread => ({ ms, p10: ms, p90: ms, samples: 1 });
    const totals = {
      dense: measure?.total.dense ?? one(summary.dense.totalMs),
      sparse: measure?.total.sparse ?? one(summary.sparse.totalMs),
    };
    const text = headlineText(totals, measure, summary.sourceLabel, this.backend);
    const line = el('div', 'headline-times');
    line.title = text.spreadTitle;
    const sparse = el('span', 'headline-sparse', text.sparse);
    const dense = el('span', 'headline-dense', text.dense);
    line.append(sparse, el('span', 'headline-sep', ' vs '), dense);
    if (text.ratio !== null) {
      const speedup = el('span', 'headline-speedup', text.verdict);
      speedup.dataset.speedup = String(text.ratio);
      speedup.dataset.clear = String(text.clear);
      line.append(speedup);
    }
    const source = el('div', 'headline-source', note ?? text.source);
    source.dataset.source = summary.sourceLabel;
    if (measure) source.dataset.samples = String(Math.min(totals.dense.samples, totals.sparse.samples));
    r.append(line, source);
    if (text.startup && !note) r.append(el('div', 'headline-startup', text.startup));
  }
}
