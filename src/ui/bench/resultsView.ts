// The results table (one row per measured point) and the environment block (browser, adapter, features,
// limits, timer, roofline, compile time, the sweep settings).
import type { BenchRecord } from '../../bench/kernelSweep';
import { speedupLookup } from '../../bench/kernelSweep';
import { formatNumber } from '../../bench/table';
import type { PanelReport } from './caveats';
import { h } from './dom';
import { formatDensity } from './params';

const COLUMNS = [
  'shape',
  'batch',
  'path',
  'kernel',
  'density',
  'nnz',
  'median ms',
  'p10–p90 ms',
  'GFLOP/s',
  'GB/s',
  '% roofline',
  'reps × samples',
  'speedup',
] as const;

/** How a record's kernel was chosen, in the table. */
const CHOSEN_TEXT: Record<NonNullable<BenchRecord['chosen']>, string> = {
  tuned: 'tuned on this adapter',
  cached: 'tuned here, cached',
  default: 'default',
  candidate: 'candidate',
};

/** Numbers from storage may be null (JSON has no NaN): show a dash. */
function num(v: number | null | undefined): string {
  return typeof v === 'number' && Number.isFinite(v) ? formatNumber(v) : '—';
}

function cells(r: BenchRecord, speedup: number | undefined, copyGbps: number | undefined): string[] {
  return [
    r.shape,
    String(r.batch),
    r.path === 'sparse' ? 'CSR' : 'dense',
    r.chosen ? `${r.variant} (${CHOSEN_TEXT[r.chosen]})` : r.variant,
    r.path === 'sparse' ? formatDensity(r.density) : '1',
    r.nnz.toLocaleString('en-US'),
    num(r.medianMs),
    `${num(r.p10Ms)}–${num(r.p90Ms)}`,
    num(r.gflops),
    num(r.gbps),
    copyGbps ? `${num((100 * r.gbps) / copyGbps)} %` : '—',
    `${r.repeats} × ${r.samples}`,
    speedup === undefined ? '' : Number.isFinite(speedup) ? `${formatNumber(speedup)}×` : '—',
  ];
}

/** The rows of one shape (the one the charts show), or every row when `shape` is undefined. */
export function resultsTable(report: PanelReport, shape?: string): HTMLTableElement {
  const table = h('table', 'bench-table');
  const records = report.records.filter((r) => shape === undefined || r.shape === shape);
  if (records.length < report.records.length) {
    table.createCaption().textContent = `${shape}: ${records.length} of ${report.records.length} rows (the exports hold all)`;
  }
  const head = h('tr');
  for (const c of COLUMNS) head.append(h('th', '', c));
  table.createTHead().append(head);
  const body = table.createTBody();
  const speedupOf = speedupLookup(report.records);
  for (const r of records) {
    const s = speedupOf(r);
    const row = h('tr', `bench-row-${r.path}`);
    row.dataset.path = r.path;
    cells(r, s, report.environment.copyGbps).forEach((text, i) => {
      const td = h('td', i >= 5 || i === 1 ? 'num' : '', text);
      if (COLUMNS[i] === 'speedup' && s !== undefined && Number.isFinite(s)) {
        td.classList.add(s >= 1 ? 'bench-win' : 'bench-loss');
      }
      row.append(td);
    });
    body.append(row);
  }
  return table;
}

function dl(entries: [string, string][]): HTMLDListElement {
  const list = h('dl', 'bench-env-list');
  for (const [k, v] of entries) list.append(h('dt', '', k), h('dd', '', v));
  return list;
}

export function environmentBlock(report: PanelReport): HTMLElement {
  const env = report.environment;
  const root = h('section', 'bench-env');
  root.append(h('h3', '', 'Environment'));
  const info = env.adapterInfo;
  const rows: [string, string][] = [
    ['backend', env.backend === 'webgpu' ? 'WebGPU' : `CPU (${env.adapter})`],
    ['adapter', env.adapter],
  ];
  if (info) {
    rows.push([
      'adapter info',
      `vendor ${info.vendor || '?'} · architecture ${info.architecture || '?'} · device ${info.device || '?'}${
        info.description ? ` · ${info.description}` : ''
      }${info.isFallbackAdapter ? ' · fallback adapter' : ''}`,
    ]);
  }
  rows.push(['timer', env.timer === 'gpu-timestamp' ? 'GPU timestamps (timestamp-query)' : 'wall clock']);
  if (env.copyGbps) rows.push(['copy bandwidth', `${formatNumber(env.copyGbps)} GB/s (the roofline)`]);
  if (env.compile) {
    rows.push([
      'pipeline compile',
      `dense ${Math.round(env.compile.denseMs)} ms · CSR ${Math.round(env.compile.sparseMs)} ms${
        env.compile.cached ? ' (already compiled in this page)' : ''
      } — not in the timings`,
    ]);
  }
  if (env.totalMs !== undefined) rows.push(['sweep wall time', `${(env.totalMs / 1000).toFixed(1)} s`]);
  const s = report.sweep;
  rows.push([
    'settings',
    `${s.shapes.length} shapes · batches ${s.batches.join(', ')} · densities ${s.densities
      .map(formatDensity)
      .join(', ')} · ${s.timing?.samples ?? 9} samples · seed ${s.seed ?? 1}`,
  ]);
  rows.push(['date', env.date]);
  rows.push(['browser', env.runtime]);
  root.append(dl(rows));
  if (env.features?.length) {
    const features = h('details', 'bench-env-more');
    features.append(
      h('summary', '', `features (${env.features.length})`),
      h('p', 'bench-mono', env.features.join(', ')),
    );
    root.append(features);
  }
  if (env.limits) {
    const limits = h('details', 'bench-env-more');
    const entries = Object.entries(env.limits).map(([k, v]): [string, string] => [
      k,
      v.toLocaleString('en-US'),
    ]);
    limits.append(h('summary', '', `limits (${entries.length})`), dl(entries));
    root.append(limits);
  }
  return root;
}
