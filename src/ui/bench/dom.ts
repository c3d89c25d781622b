// Small DOM helpers for the benchmark panel (it builds its own elements; no framework), and the export
// actions: download a file, copy text to the clipboard.

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className = '',
  text?: string,
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

export function button(label: string, className: string, onClick: () => void): HTMLButtonElement {
  const b = h('button', className, label);
  b.type = 'button';
  b.addEventListener('click', onClick);
  return b;
}

/** A labelled form row: <label><span>label</span>control<small>hint</small></label>. */
export function field(label: string, control: HTMLElement, hint?: string): HTMLLabelElement {
  const row = h('label', 'bench-field');
  row.append(h('span', 'bench-field-label', label), control);
  if (hint) row.append(h('small', 'bench-field-hint', hint));
  return row;
}

export function download(filename: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Clipboard API where allowed (secure context, focused page), else a hidden textarea and execCommand. */
export async function copyText(text: string): Promise<void> {
  if (navigator.clipboard?.writeText) {
    try {
      await navigator.clipboard.writeText(text);
      return;
    } catch {
      // permission denied or page not focused: fall through to the legacy path
    }
  }
  const area = h('textarea');
  area.value = text;
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.append(area);
  area.select();
  const ok = document.execCommand('copy');
  area.remove();
  if (!ok) throw new Error('the browser refused clipboard access');
}
