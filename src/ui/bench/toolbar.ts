// The results toolbar: which shape the charts show, and export — JSON / CSV download, copy to the
// clipboard, and "Open JSON…" to load a saved report (checked with the shared validateReport).
import { toCsv, validateReport } from '../../bench/report';
import { caveatsFor, type PanelReport } from './caveats';
import { button, copyText, download, h } from './dom';

export interface ToolbarHooks {
  report(): PanelReport | null;
  status(text: string, error?: boolean): void;
  opened(report: PanelReport, note: string): void;
  shapeChanged(): void;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class ResultsToolbar {
  readonly root = h('div', 'bench-toolbar');
  private readonly shapeSelect = h('select', 'bench-input bench-shape-select');
  private readonly file = h('input');

  constructor(private readonly hooks: ToolbarHooks) {
    const stem = () => `sparsescope-bench-${(hooks.report()?.environment.date ?? '').replace(/[:.]/g, '-')}`;
    const json = () => `${JSON.stringify(hooks.report(), null, 1)}\n`;
    const csv = () => `${toCsv(hooks.report()?.records ?? [])}\n`;
    const copy = (what: string, text: () => string) => () =>
      copyText(text()).then(
        () => hooks.status(`Copied the ${what} to the clipboard.`),
        (err) => hooks.status(`Copy failed: ${errorMessage(err)}`, true),
      );
    this.file.type = 'file';
    this.file.accept = 'application/json,.json';
    this.file.hidden = true;
    this.file.addEventListener('change', () => void this.openFile());
    this.shapeSelect.setAttribute('aria-label', 'layer shape shown in the charts');
    this.shapeSelect.addEventListener('change', () => hooks.shapeChanged());
    this.root.append(
      h('span', 'bench-toolbar-label', 'Charts for'),
      this.shapeSelect,
      h('span', 'bench-spacer'),
      button('Export JSON', 'bench-btn', () => download(`${stem()}.json`, json(), 'application/json')),
      button('Export CSV', 'bench-btn', () => download(`${stem()}.csv`, csv(), 'text/csv')),
      button('Copy JSON', 'bench-btn', copy('JSON report', json)),
      button('Copy CSV', 'bench-btn', copy('CSV', csv)),
      button('Open JSON…', 'bench-btn', () => this.file.click()),
      this.file,
    );
  }

  /** The shape the charts show. */
  get shape(): string {
    return this.shapeSelect.value;
  }

  /** New list of shapes; keeps the current choice when it is still there. */
  setShapes(shapes: string[]): void {
    const previous = this.shapeSelect.value;
    this.shapeSelect.replaceChildren(
      ...shapes.map((s) => {
        const o = h('option', '', s);
        o.value = s;
        return o;
      }),
    );
    if (shapes.includes(previous)) this.shapeSelect.value = previous;
  }

  private async openFile(): Promise<void> {
    const f = this.file.files?.[0];
    this.file.value = '';
    if (!f) return;
    try {
      const base = validateReport(JSON.parse(await f.text()));
      const caveats = (base as Partial<PanelReport>).caveats;
      const report: PanelReport = {
        ...base,
        caveats: Array.isArray(caveats) ? caveats : caveatsFor(base.environment, base.records),
      };
      const env = report.environment;
      this.hooks.opened(report, `Opened ${f.name} (measured ${env.date} on ${env.adapter}).`);
    } catch (err) {
      this.hooks.status(`Could not open ${f.name}: ${errorMessage(err)}`, true);
    }
  }
}
