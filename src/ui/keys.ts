// Keyboard shortcuts, one table that drives both the handler and the help overlay.

import { el } from '../scene/overlays';

export interface Shortcut {
  keys: string[];
  label: string;
  run: () => void;
}

export class Shortcuts {
  readonly help: HTMLElement;

  constructor(
    parent: HTMLElement,
    private readonly table: Shortcut[],
  ) {
    this.help = el('div', 'help-overlay');
    this.help.hidden = true;
    this.help.setAttribute('role', 'dialog');
    this.help.setAttribute('aria-label', 'Keyboard shortcuts');
    const box = el('div', 'help-box');
    box.append(el('h2', '', 'Keyboard and mouse'));
    const list = el('dl', 'help-list');
    for (const s of table) {
      const dt = el('dt', '');
      for (const k of s.keys) dt.append(el('kbd', '', k));
      list.append(dt, el('dd', '', s.label));
    }
    const mouse: [string, string][] = [
      ['drag / one finger', 'rotate'],
      ['right-drag / two fingers', 'pan'],
      ['wheel / pinch', 'zoom (towards the cursor)'],
      ['hover', "a neuron's incoming and outgoing weights"],
      ['click', 'pin the inspector on a neuron'],
    ];
    for (const [k, v] of mouse) list.append(el('dt', 'help-mouse', k), el('dd', '', v));
    box.append(list, el('p', 'help-foot', 'Press ? or h to close.'));
    this.help.append(box);
    this.help.addEventListener('click', (e) => {
      if (e.target === this.help) this.toggleHelp(false);
    });
    parent.append(this.help);
    window.addEventListener('keydown', (e) => this.onKey(e));
  }

  toggleHelp(show = this.help.hidden): void {
    this.help.hidden = !show;
  }

  private onKey(e: KeyboardEvent): void {
    const target = e.target;
    if (target instanceof HTMLInputElement || target instanceof HTMLSelectElement) return; // typing a prompt
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const shortcut = this.table.find((s) => s.keys.includes(e.key));
    if (!shortcut) return;
    e.preventDefault();
    shortcut.run();
  }
}
