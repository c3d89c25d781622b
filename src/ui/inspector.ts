// The pinned inspector: which neuron, its activation, fan-in/fan-out (and, in the sparse network, how
// many of the dense weights were kept), and its strongest weights in and out — each a link that jumps.

import type { NeuronInfo, WeightRef } from '../scene/inspect';
import { el } from '../scene/overlays';
import type { Side } from '../scene/sceneView';

export type JumpHandler = (layerId: string, index: number) => void;

function signed(v: number, digits = 3): string {
  return `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(digits)}`;
}

/** Sparse side: how many of a dense matrix's weights this neuron kept; dense side: what its twin kept. */
function keptText(own: number, denseCount: number, twin: number | null, side: Side): string {
  if (side === 'dense') return twin === null ? '' : `sparse twin keeps ${twin}`;
  if (denseCount === 0) return '';
  const pct = (100 * own) / denseCount;
  return `kept ${own} of ${denseCount} dense (${pct < 10 ? pct.toFixed(1) : pct.toFixed(0)}%)`;
}

export class Inspector {
  readonly root: HTMLElement;
  onJump: JumpHandler = () => {};
  onClose: () => void = () => {};

  constructor(parent: HTMLElement) {
    this.root = el('aside', 'inspector');
    this.root.hidden = true;
    this.root.setAttribute('aria-live', 'polite');
    parent.append(this.root);
  }

  get visible(): boolean {
    return !this.root.hidden;
  }

  hide(): void {
    this.root.hidden = true;
  }

  show(info: NeuronInfo, side: Side, tokenLabel: string | null): void {
    const r = this.root;
    r.replaceChildren();
    r.hidden = false;
    r.dataset.side = side;
    r.dataset.layer = info.layerId;
    r.dataset.index = String(info.index);
    const close = el('button', 'inspector-close', '×');
    close.setAttribute('aria-label', 'Close inspector');
    close.addEventListener('click', () => {
      this.hide();
      this.onClose();
    });
    const head = el('div', 'inspector-head');
    head.append(el('div', `inspector-net net-${side}`, `${info.network} · ${info.group}`));
    head.append(el('div', 'inspector-title', info.label));
    head.append(el('div', 'inspector-layer', `${info.layerName} · neuron ${info.index}`));
    r.append(close, head);

    const table = el('dl', 'inspector-facts');
    const fact = (name: string, value: string, note = '', key = name) => {
      const dt = el('dt', '', name);
      const dd = el('dd', '');
      dd.dataset.fact = key;
      dd.append(el('span', 'fact-value', value));
      if (note) dd.append(el('span', 'fact-note', note));
      table.append(dt, dd);
    };
    if (info.activation !== null) {
      fact('activation', signed(info.activation), tokenLabel ? `${info.positionName} ${tokenLabel}` : '');
    } else {
      fact('activation', '—', 'no forward pass yet');
    }
    fact('fan-in', String(info.fanIn), keptText(info.fanIn, info.denseFanIn, info.twinFanIn, side));
    fact('fan-out', String(info.fanOut), keptText(info.fanOut, info.denseFanOut, info.twinFanOut, side));
    r.append(table);
    r.append(this.weightList('strongest in', info.strongestIn, 'from'));
    r.append(this.weightList('strongest out', info.strongestOut, 'to'));
  }

  private weightList(title: string, refs: WeightRef[], direction: 'from' | 'to'): HTMLElement {
    const section = el('section', 'inspector-weights');
    section.append(el('h3', '', title));
    if (refs.length === 0) {
      section.append(
        el('p', 'fact-note', direction === 'from' ? 'no incoming weights' : 'no outgoing weights'),
      );
      return section;
    }
    const list = el('ul', '');
    for (const ref of refs) {
      const item = el('li', '');
      const link = el('button', `weight-link ${ref.w >= 0 ? 'pos' : 'neg'}`);
      link.dataset.layer = ref.layerId;
      link.dataset.index = String(ref.index);
      link.title = `${direction} ${ref.layerName}, neuron ${ref.index}: jump`;
      link.append(el('span', 'weight-value', signed(ref.w)), el('span', 'weight-target', ref.label));
      link.append(el('span', 'weight-layer', ref.layerName));
      link.addEventListener('click', () => this.onJump(ref.layerId, ref.index));
      item.append(link);
      list.append(item);
    }
    section.append(list);
    return section;
  }
}
