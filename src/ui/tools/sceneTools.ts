// The tools around the scene, wired to the app in one place so main.ts stays short: the token strip,
// "find a neuron", the per-block timing list and the attention heatmaps (one drawer with two tabs), the
// loading veil over the scene while a model loads, and the URL that follows the view (urlState.ts).
import { findNeuron } from '../../scene/findNeuron';
import { el } from '../../scene/overlays';
import type { App, SceneResults } from '../app';
import type { Controls, ControlValues } from '../controls';
import type { AppRunner } from '../runner';
import { Gpt2Workload } from '../workloads/gpt2';
import { AttentionPanel } from './attentionPanel';
import { TimingPanel } from './timingPanel';
import { TokenStrip } from './tokenStrip';
import { readViewState, type ViewState, writeViewState } from './urlState';
import './sceneTools.css';

/** At or below this width the panels become drawers (a phone held upright). */
export const NARROW_PX = 700;

export class SceneTools {
  readonly strip: TokenStrip;
  readonly timings: TimingPanel;
  readonly attention: AttentionPanel;
  readonly drawer = el('aside', 'tools-drawer');
  private readonly veil = el('div', 'load-veil');
  private readonly search = document.createElement('input');
  private readonly searchNote = el('span', 'find-note');
  private readonly state: ViewState;
  private pendingNeuron: ViewState['neuron'];
  private tab: 'timings' | 'attention' = 'timings';

  constructor(
    private readonly root: HTMLElement,
    private readonly app: App,
    private readonly runner: AppRunner,
    private readonly controls: Controls,
    private readonly values: ControlValues,
    params: URLSearchParams,
  ) {
    // A bad token, neuron or view is reported with every other bad URL parameter (main.ts, readAppParams).
    const { state } = readViewState(params);
    this.state = state;
    this.pendingNeuron = state.neuron;

    const top = el('div', 'top-tools');
    this.strip = new TokenStrip(top);
    this.strip.onSelect = (token) => {
      this.values.token = token;
      this.controls.refresh();
      this.app.recolor();
      this.writeUrl();
    };
    const find = el('form', 'find-neuron');
    this.search.type = 'search';
    this.search.placeholder = 'find: block 0 MLP 12';
    this.search.setAttribute('aria-label', 'find a neuron');
    find.append(this.search, this.searchNote);
    find.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.find(this.search.value);
    });
    top.append(find);
    root.append(top);

    this.drawer.id = 'tools-drawer';
    const tabs = el('div', 'tools-tabs');
    const body = el('div', 'tools-body');
    this.timings = new TimingPanel(body);
    this.attention = new AttentionPanel(body, () => this.attentionSource());
    for (const name of ['timings', 'attention'] as const) {
      const b = el('button', `tools-tab tab-${name}`, name === 'timings' ? 'Timings' : 'Attention');
      b.addEventListener('click', () => this.showTab(name));
      tabs.append(b);
    }
    const close = el('button', 'tools-close', '×');
    close.setAttribute('aria-label', 'close the timings and attention drawer');
    close.addEventListener('click', () => this.setOpen(false));
    tabs.append(close);
    this.drawer.append(tabs, body);
    const opener = el('button', 'tools-open', 'Timings · attention');
    opener.id = 'tools-open';
    opener.addEventListener('click', () => this.setOpen(true));
    root.append(this.drawer, opener);
    this.showTab('timings');
    this.setOpen(window.innerWidth > NARROW_PX);

    this.veil.id = 'load-veil';
    this.veil.hidden = true;
    this.veil.append(el('div', 'veil-text'), el('div', 'veil-bar'));
    root.append(this.veil);
    runner.onLoading = (progress) => this.showLoading(progress);
    const hint = el('button', 'spine-hint');
    hint.id = 'spine-hint';
    hint.hidden = true;
    hint.addEventListener('click', () => {
      this.setOpen(true);
      this.showTab('timings');
    });
    root.append(hint);
    app.view.overlays.onThinned = (hidden, timed) => {
      // Timed rows that do not fit: collapse runs of blocks into one row each, until every one fits.
      if (hidden > 0 && app.spineGroups.grow()) {
        queueMicrotask(() => app.refreshOverlays());
        return;
      }
      hint.hidden = hidden === 0;
      hint.textContent = `${timed - hidden} of ${timed} block timings fit between the networks · every one in Timings`;
    };
    this.phoneSheets();
    app.onSelectionChange = () => {
      if (this.narrow && app.selectedNeuron) this.closeSheets(); // the inspector is the sheet now
      this.writeUrl();
    };
    app.view.onFramed = () => this.writeUrl();
    this.placeDrawer();
    new ResizeObserver(() => this.placeDrawer()).observe(controls.gui.domElement);
  }

  /** Before the app shows new results: the token strip and the token slider follow the new prompt. */
  beforeResults(results: SceneResults): void {
    const acts = results.activations?.sparse ?? results.activations?.dense;
    const labels = acts?.tokens ?? [];
    this.controls.setTokenCount(labels.length || 1);
    const requested = this.state.token;
    this.state.token = 'last'; // the URL's position applies to the first run only
    if (labels.length)
      this.values.token = this.strip.setTokens(
        labels,
        requested === 'last' ? (this.strip.followLast ? 'last' : this.strip.selected) : requested,
      );
    this.controls.refresh();
  }

  /** After the scene shows them: the timing list, the attention maps, a neuron the URL named, the URL. */
  async afterResults(): Promise<void> {
    this.timings.set(this.app.summary);
    this.attention.render();
    const wanted = this.pendingNeuron;
    this.pendingNeuron = null;
    if (wanted && this.app.results) {
      const graph = wanted.side === 'sparse' ? this.app.results.sparseGraph : this.app.results.denseGraph;
      const layer = graph.layers.find((l) => l.id === wanted.layerId);
      if (!layer || wanted.index >= layer.size)
        this.runner.showNotice(`neuron=${wanted.layerId}:${wanted.index} is not in this model`);
      else await this.app.jumpTo(wanted.layerId, wanted.index, wanted.side);
    }
    if (this.state.view !== 'both') {
      this.app.view.frameView(this.state.view);
      this.state.view = 'both';
    }
    this.writeUrl();
  }

  /** The token slider or a shortcut moved the token. */
  tokenChanged(): void {
    this.strip.select(this.values.token);
    this.writeUrl();
  }

  /** Inspector links and the attention panel follow the selected neuron's block. */
  private attentionSource() {
    const w = this.runner.workload;
    return {
      weights: w instanceof Gpt2Workload && w.dense && w.sparse ? { dense: w.dense, sparse: w.sparse } : null,
      activations: this.app.results?.activations,
    };
  }

  private async find(text: string): Promise<void> {
    const r = this.app.results;
    if (!r) return;
    const found = findNeuron(r.sparseGraph, text);
    this.searchNote.textContent = 'error' in found ? found.error : '';
    if ('error' in found) return;
    this.search.blur(); // the keyboard shortcuts work again
    await this.app.jumpTo(found.layerId, found.index);
  }

  private showTab(name: 'timings' | 'attention'): void {
    this.tab = name;
    this.timings.root.hidden = name !== 'timings';
    this.attention.root.hidden = name !== 'attention';
    for (const b of this.drawer.querySelectorAll<HTMLElement>('.tools-tab'))
      b.setAttribute('aria-pressed', String(b.classList.contains(`tab-${name}`)));
    if (name === 'attention') {
      const selected = this.app.selectedNeuron?.layerId.match(/^b(\d+)\./);
      if (selected) this.attention.layer = Number(selected[1]);
      this.attention.render();
    }
  }

  private get narrow(): boolean {
    return window.innerWidth <= NARROW_PX;
  }

  /** On a phone the predictions panel is a bottom sheet too: an open button, a close button. */
  private phoneSheets(): void {
    const predictions = document.getElementById('predictions');
    if (!predictions) return;
    const open = el('button', 'pred-open', 'Predictions');
    open.id = 'pred-open';
    const close = el('button', 'pred-close', '×');
    close.setAttribute('aria-label', 'close the predictions');
    open.addEventListener('click', () => {
      this.closeSheets();
      predictions.classList.remove('pred-collapsed');
    });
    close.addEventListener('click', () => predictions.classList.add('pred-collapsed'));
    predictions.prepend(close);
    this.root.append(open);
    if (this.narrow) predictions.classList.add('pred-collapsed');
    // The open button only makes sense while there are predictions to show.
    new MutationObserver(() => {
      open.hidden = predictions.hidden;
    }).observe(predictions, { attributes: true, attributeFilter: ['hidden'] });
    open.hidden = predictions.hidden;
  }

  /** Phone: close every bottom sheet (another is about to open). */
  private closeSheets(): void {
    if (!this.narrow) return;
    this.setOpen(false);
    document.getElementById('predictions')?.classList.add('pred-collapsed');
  }

  setOpen(open: boolean): void {
    if (open) {
      this.closeSheets();
      if (this.narrow) this.app.clearSelection();
    }
    this.drawer.hidden = !open;
    this.root.classList.toggle('tools-is-open', open);
    if (open && this.tab === 'attention') this.attention.render();
  }

  /** On a wide screen the drawer sits under the control panel. */
  private placeDrawer(): void {
    const gui = this.controls.gui.domElement.getBoundingClientRect();
    this.drawer.style.setProperty('--gui-bottom', `${Math.round(gui.bottom)}px`);
  }

  private showLoading(progress: { fraction: number; what: string } | null): void {
    this.veil.hidden = progress === null;
    if (!progress) return;
    this.veil.querySelector('.veil-text')!.textContent = progress.what;
    (this.veil.querySelector('.veil-bar') as HTMLElement).style.setProperty(
      '--done',
      `${Math.round(100 * Math.min(1, Math.max(0, progress.fraction)))}%`,
    );
  }

  private writeUrl(): void {
    if (this.values.model.startsWith('file')) return; // a file the user opened cannot be linked to
    const selected = this.app.selectedNeuron;
    const state: ViewState = {
      token: this.strip.followLast ? 'last' : this.values.token,
      neuron: selected ? { side: selected.side, layerId: selected.layerId, index: selected.index } : null,
      view: this.app.view.framed,
    };
    const query = writeViewState(new URLSearchParams(location.search), this.values, state);
    if (query !== location.search) history.replaceState(null, '', query);
  }
}
