// The prompt as a strip of tokens: click one to select it (the node colours and the inspector follow);
// the last token, the one the prediction is for, is selected by default and stays selected ("last")
// when the prompt changes, until another token is clicked.
import { el } from '../../scene/overlays';
import { visibleToken } from '../predictions';

export class TokenStrip {
  readonly root = el('nav', 'token-strip');
  private readonly list = el('div', 'token-list');
  /** true: the selection is "the last token", whatever the prompt's length. */
  followLast = true;
  selected = 0;
  private labels: string[] = [];
  onSelect: (token: number) => void = () => {};

  /** 'token', or 'image' for a layered network's inputs. */
  private positionName = 'token';

  constructor(parent: HTMLElement) {
    this.root.id = 'token-strip';
    this.root.setAttribute('aria-label', 'tokens of the prompt');
    this.root.append(this.list);
    this.root.hidden = true;
    parent.append(this.root);
    this.list.addEventListener('click', (e) => {
      const button = e.target instanceof Element ? e.target.closest<HTMLElement>('.token-chip') : null;
      if (button?.dataset.token) this.select(Number(button.dataset.token), true);
    });
  }

  /** New labels (a new run). Returns the selected position after applying "last". */
  setTokens(labels: string[], requested: 'last' | number, positionName = 'token'): number {
    this.labels = labels;
    this.positionName = positionName;
    const last = labels.length - 1;
    this.followLast = requested === 'last' || requested >= last;
    this.selected = requested === 'last' ? last : Math.min(Math.max(0, requested), last);
    this.render();
    return this.selected;
  }

  select(token: number, fromUser = false): void {
    if (token < 0 || token >= this.labels.length) return;
    this.selected = token;
    this.followLast = token === this.labels.length - 1;
    this.render();
    if (fromUser) this.onSelect(token);
  }

  private render(): void {
    this.root.hidden = this.labels.length === 0;
    const name = this.positionName;
    const text = name === 'token' ? visibleToken : (label: string) => label;
    this.list.replaceChildren(
      el('span', 'token-strip-label', `${name}s`),
      ...this.labels.map((label, i) => {
        const chip = el('button', 'token-chip', text(label));
        chip.dataset.token = String(i);
        chip.title = `${name} ${i}${i === this.labels.length - 1 ? ' (last: the prediction is for it)' : ''}`;
        chip.setAttribute('aria-pressed', String(i === this.selected));
        return chip;
      }),
    );
    // Keep the selected chip in view by scrolling the strip only (scrollIntoView would move the page
    // too), once the frame has laid it out: reading positions now would force a layout mid-task.
    requestAnimationFrame(() => setTimeout(() => this.reveal(), 0));
  }

  private reveal(): void {
    const chip = this.list.querySelector<HTMLElement>('[aria-pressed="true"]');
    if (!chip) return;
    const { scrollLeft, clientWidth } = this.root;
    const left = chip.offsetLeft - this.list.offsetLeft;
    if (left < scrollLeft || left + chip.offsetWidth > scrollLeft + clientWidth)
      this.root.scrollLeft = Math.max(0, left + chip.offsetWidth - clientWidth + 8);
  }
}
