// Every block's time on both paths, in one list beside the scene (a waterfall): readable for 12 or 30
// layers where the spine between the networks has room for only some of them. Rows come from the same
// aggregation as the headline (timingModel.ts), so the footer equals the headline and each row's parts add
// up to it. Sortable: model order, or slowest first on either path.

import type { KernelChoiceOrigin } from '../../contracts';
import { el } from '../../scene/overlays';
import { type AnchorTime, formatMs, type OpTime, shortOp, type TimingSummary } from '../../scene/timingModel';

type SortKey = 'order' | 'sparse' | 'dense';

/** How a linear layer's kernel was chosen, in words. */
const CHOSEN: Record<KernelChoiceOrigin, string> = {
  tuned: 'tuned on this adapter',
  cached: 'tuned on this adapter (cached)',
  default: 'default',
};

/** One line per matmul of a block: its kernel and how it was chosen. */
function kernelLines(parts: readonly OpTime[]): string {
  return parts
    .filter((p) => p.kernel)
    .map((p) => `\n${shortOp(p.op)}: ${p.kernel} — ${CHOSEN[p.chosen ?? 'default']}`)
    .join('');
}

/** 'linear kernels: 8 tuned on this adapter (cached) · 8 default', or '' when no run said. */
function kernelsLine(s: TimingSummary): string {
  const counts = new Map<KernelChoiceOrigin, number>();
  for (const path of [s.sparse, s.dense]) {
    for (const a of path.anchors.values()) {
      for (const p of a.split)
        if (p.kernel) counts.set(p.chosen ?? 'default', (counts.get(p.chosen ?? 'default') ?? 0) + 1);
    }
  }
  if (counts.size === 0) return '';
  const order: KernelChoiceOrigin[] = ['tuned', 'cached', 'default'];
  return `linear kernels: ${order
    .filter((o) => counts.has(o))
    .map((o) => `${counts.get(o)} ${CHOSEN[o]}`)
    .join(' · ')}`;
}

interface BlockRow {
  key: string;
  label: string;
  sparse: AnchorTime | null;
  dense: AnchorTime | null;
}

/** One row per block of either path, in engine order (embed, block 0 attn, block 0 mlp, …, unembed). */
function blockRows(summary: TimingSummary): BlockRow[] {
  const keys = [...new Set([...summary.sparse.anchors.keys(), ...summary.dense.anchors.keys()])];
  return keys.map((key) => {
    const a = summary.sparse.anchors.get(key) ?? summary.dense.anchors.get(key)!;
    return {
      key,
      label: blockLabel(a),
      sparse: summary.sparse.anchors.get(key) ?? null,
      dense: summary.dense.anchors.get(key) ?? null,
    };
  });
}

function blockLabel(a: { layer: number; op: string }): string {
  if (a.op === 'attn' || a.op === 'mlp') return `block ${a.layer} ${a.op === 'attn' ? 'attn' : 'MLP'}`;
  if (a.op === 'dnn') return `layer ${a.layer + 1}`;
  if (a.op === 'unembed') return 'unembed';
  return a.op;
}

export class TimingPanel {
  readonly root = el('section', 'timing-panel');
  private readonly body = el('div', 'timing-rows');
  private readonly foot = el('div', 'timing-foot');
  private sort: SortKey = 'order';
  private summary: TimingSummary | null = null;

  constructor(parent: HTMLElement) {
    this.root.id = 'timing-panel';
    const head = el('div', 'timing-head');
    head.append(el('span', 'timing-head-label', 'every block'));
    for (const [key, text] of [
      ['order', 'order'],
      ['sparse', 'sparse'],
      ['dense', 'dense'],
    ] as const) {
      const b = el('button', `timing-sort sort-${key}`, text);
      b.title = key === 'order' ? 'model order' : `slowest first on the ${key} path`;
      b.addEventListener('click', () => {
        this.sort = key;
        this.render();
      });
      head.append(b);
    }
    this.root.append(head, this.body, this.foot);
    parent.append(this.root);
  }

  set(summary: TimingSummary | null): void {
    this.summary = summary;
    this.render();
  }

  private render(): void {
    const s = this.summary;
    this.body.replaceChildren();
    this.foot.replaceChildren();
    for (const b of this.root.querySelectorAll<HTMLElement>('.timing-sort'))
      b.setAttribute('aria-pressed', String(b.classList.contains(`sort-${this.sort}`)));
    if (!s) return;
    const rows = blockRows(s);
    if (this.sort !== 'order') {
      const path = this.sort;
      rows.sort((a, b) => (b[path]?.ms ?? 0) - (a[path]?.ms ?? 0));
    }
    const max = s.maxAnchorMs || 1;
    for (const row of rows) {
      const r = el('div', 'timing-row');
      r.dataset.key = row.key;
      r.append(el('span', 'timing-row-label', row.label));
      for (const side of ['sparse', 'dense'] as const) {
        const t = row[side];
        const cell = el('span', `timing-cell cell-${side}`);
        const bar = el('span', 'timing-cell-bar');
        bar.style.width = t ? `${Math.max(2, (100 * t.ms) / max).toFixed(1)}%` : '0';
        cell.append(bar, el('span', 'timing-cell-ms', t ? formatMs(t.ms, s.resolutionMs) : '—'));
        if (t) {
          cell.dataset.ms = String(t.ms);
          cell.title = `${side} ${row.label}: ${formatMs(t.ms, s.resolutionMs)} = ${t.split.map((p) => `${shortOp(p.op)} ${formatMs(p.ms, s.resolutionMs)}`).join(' + ') || 'one pass'}${kernelLines(t.split)}`;
        }
        r.append(cell);
      }
      this.body.append(r);
    }
    const total = el('div', 'timing-row timing-total');
    total.append(
      el('span', 'timing-row-label', 'forward (Σ)'),
      el('span', 'timing-cell cell-sparse', formatMs(s.sparse.totalMs, s.resolutionMs)),
      el('span', 'timing-cell cell-dense', formatMs(s.dense.totalMs, s.resolutionMs)),
    );
    this.foot.append(total, el('div', 'timing-source', s.sourceLabel));
    const kernels = kernelsLine(s);
    if (kernels) this.foot.append(el('div', 'timing-kernels', kernels));
  }
}
