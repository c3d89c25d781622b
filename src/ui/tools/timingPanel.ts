// Every block's time on both paths, in one list beside the scene (a waterfall): readable for 12 or 30
// layers where the spine between the networks has room for only some of them. Rows come from the same
// aggregation as the headline (timingModel.ts), so the footer equals the headline and each row's parts add
// up to it. Sortable: model order, or slowest first on either path.
import { el } from '../../scene/overlays';
import { type AnchorTime, formatMs, shortOp, type TimingSummary } from '../../scene/timingModel';

type SortKey = 'order' | 'sparse' | 'dense';

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
          cell.title = `${side} ${row.label}: ${formatMs(t.ms, s.resolutionMs)} = ${t.split.map((p) => `${shortOp(p.op)} ${formatMs(p.ms, s.resolutionMs)}`).join(' + ') || 'one pass'}`;
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
  }
}
