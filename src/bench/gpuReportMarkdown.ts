// The Markdown of a real-GPU report (docs/bench/gpu-<adapter>.md): the adapter, the steps against their
// budgets and what was cut, then one table per part. Every time is a median with its p10–p90; every
// ratio is of two medians taken in the same process, interleaved.
import type { GpuReport, ModelBenchRow, StepOutcome } from './gpuReport';
import { cutLine } from './gpuReport';
import type { BenchRecord } from './kernelSweep';
import { formatNumber } from './table';

/** A Markdown table; cells are escaped so a `|` in a name cannot break the row. */
export function markdownTable(headers: string[], rows: (string | number)[][]): string {
  const cell = (c: string | number) =>
    (typeof c === 'number' ? (Number.isInteger(c) ? String(c) : formatNumber(c)) : c)
      .replace(/\|/g, '\\|')
      .replace(/\n/g, ' ');
  return [
    `| ${headers.map(cell).join(' | ')} |`,
    `|${headers.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}

/** '1.23 (1.10–1.40)'; '—' when not measured. */
function spread(ms: number, p10: number, p90: number): string {
  if (!Number.isFinite(ms)) return '—';
  return `${formatNumber(ms)} (${formatNumber(p10)}–${formatNumber(p90)})`;
}

/** 1 → '1', 0.015625 → '1/64'. */
export function densityLabel(d: number): string {
  return d >= 1 ? '1' : Number.isInteger(1 / d) ? `1/${1 / d}` : formatNumber(d);
}

const ratio = (x: number) => (Number.isFinite(x) ? `${formatNumber(x)}×` : '—');

export function gpuReportMarkdown(report: GpuReport): string {
  const a = report.adapter;
  const label = a ? [a.vendor, a.architecture, a.device].filter(Boolean).join(' ') || a.description : '';
  const out: string[] = [
    `# Real-GPU report: ${label || 'unknown adapter'}${report.quick ? ' (quick, tiny sizes)' : ''}`,
    '',
    `\`${report.command}\`, ${report.date}; ${report.runtime}; load average ${report.load.map((l) => l.toFixed(2)).join(' → ')}.` +
      ` ${report.elapsedS.toFixed(0)} s of a ${report.budgetS} s budget; <dnn-dir> is ${report.dnnDir}.` +
      ' Times are medians with p10–p90; every ratio is of two medians from the same process, interleaved.' +
      ` Raw results: ${report.file}.json (schema ${report.schema}).`,
    '',
    ...(a?.isFallbackAdapter
      ? ['**This adapter is a fallback (software) adapter: nothing here measures a GPU.**', '']
      : []),
    report.cut.length
      ? `**Cut or failed:**\n${report.cut.map((l) => `- ${l}`).join('\n')}`
      : 'Nothing was cut.',
    '',
    '## Adapter',
    '',
  ];
  if (a) {
    const limit = (name: string) => report.limits[name] ?? '—';
    out.push(
      markdownTable(
        [
          'vendor',
          'architecture',
          'device',
          'description',
          'fallback',
          'features',
          'max storage binding',
          'max invocations/workgroup',
        ],
        [
          [
            a.vendor || '—',
            a.architecture || '—',
            a.device || '—',
            a.description || '—',
            a.isFallbackAdapter ? 'yes' : 'no',
            report.features.join(', ') || '—',
            limit('maxStorageBufferBindingSize'),
            limit('maxComputeInvocationsPerWorkgroup'),
          ],
        ],
      ),
    );
  } else out.push('The adapter was not read (the info step did not finish).');
  const copy = report.sweep.environments.find((e) => e.copyGbps !== undefined);
  if (copy)
    out.push(
      '',
      `Copy bandwidth (read + write, the sweep's roofline): ${formatNumber(copy.copyGbps!)} GB/s; timer ${copy.timer}.`,
    );
  out.push('', '## Steps and budgets', '', stepsTable(report.steps));
  out.push('', '## 1. Square GEMM vs @tensorflow/tfjs-backend-webgpu (same adapter, same process)', '');
  out.push(gemmSection(report));
  out.push(
    '',
    '## 2. GPT-2 small layers: dense vs CSR (`sparsescope bench`)',
    '',
    sweepSection(report.sweep.records),
  );
  out.push(
    '',
    `## 3. Whole model: ${report.model?.model ?? 'not measured'} (\`sparsescope bench-model\`)`,
    '',
  );
  out.push(modelSection(report.model?.records ?? []));
  out.push('', '## 4. Graph Challenge sparse DNN (`sparsescope dnn`)', '', dnnSection(report));
  return `${out.join('\n')}\n`;
}

function stepsTable(steps: StepOutcome[]): string {
  return markdownTable(
    ['part', 'step', 'command', 'budget s', 'took s', 'status'],
    steps.map((s) => [
      s.part,
      s.name,
      `\`${s.command}\``,
      s.budgetS.toFixed(0),
      s.status === 'not run' || s.status === 'skipped' ? '—' : s.seconds.toFixed(1),
      s.status === 'ok' ? 'ok' : (cutLine(s)?.replace(`${s.name}: `, '') ?? s.status),
    ]),
  );
}

function gemmSection(report: GpuReport): string {
  if (report.gemm.length === 0) return 'Not measured (see the steps above).';
  const peer = report.gemm[0].peer;
  const lines = [
    `Wall clock of products enqueued back to back plus one readback, per product; the peer is ${peer}.`,
    '',
    markdownTable(
      [
        'shape',
        'our kernel',
        'ours ms',
        'ours GFLOP/s',
        'tfjs ms',
        'tfjs GFLOP/s',
        'ours ÷ tfjs time',
        'products per sample',
      ],
      report.gemm.map((r) => [
        r.shape,
        r.variant,
        spread(r.ours.medianMs, r.ours.p10Ms, r.ours.p90Ms),
        r.oursGflops,
        spread(r.peerTime.medianMs, r.peerTime.p10Ms, r.peerTime.p90Ms),
        r.peerGflops,
        r.ours.medianMs / r.peerTime.medianMs,
        r.repeats,
      ]),
    ),
  ];
  const timed = report.sweep.records.filter((r) => r.shape.startsWith('gemm '));
  if (timed.length) {
    lines.push(
      '',
      'Our kernel alone, from the sweep (timer per record):',
      '',
      markdownTable(
        ['shape', 'variant', 'ms', 'GFLOP/s', 'timer'],
        timed.map((r) => [r.shape, r.variant, spread(r.medianMs, r.p10Ms, r.p90Ms), r.gflops, r.timer]),
      ),
    );
  }
  return lines.join('\n');
}

/** One row per layer shape and batch: the dense time, then each density's CSR time and speedup. */
function sweepSection(all: BenchRecord[]): string {
  // The kernels the sweep chose (tuned, cached or default); --all-candidates rows are not points.
  const records = all.filter((r) => !r.shape.startsWith('gemm ') && r.chosen !== 'candidate');
  if (records.length === 0) return 'Not measured (see the steps above).';
  const densities = [...new Set(records.filter((r) => r.path === 'sparse').map((r) => r.density))].sort(
    (x, y) => y - x,
  );
  const keys = [...new Set(records.map((r) => `${r.shape}\u0000${r.batch}`))];
  const rows = keys.map((key) => {
    const [shape, batch] = key.split('\u0000');
    const at = records.filter((r) => r.shape === shape && String(r.batch) === batch);
    const dense = at.find((r) => r.path === 'dense' && r.variant !== 'naive');
    const naive = at.find((r) => r.variant === 'naive');
    return [
      shape,
      batch,
      dense
        ? `${dense.kernel ?? dense.variant}${dense.chosen ? ` [${dense.chosen}]` : ''} ${spread(dense.medianMs, dense.p10Ms, dense.p90Ms)}`
        : '—',
      dense ? dense.gflops : '—',
      dense && naive ? ratio(naive.medianMs / dense.medianMs) : '—',
      ...densities.map((d) => {
        const s = at.find((r) => r.path === 'sparse' && r.density === d);
        return s
          ? `${formatNumber(s.medianMs)} (${ratio(dense ? dense.medianMs / s.medianMs : Number.NaN)})`
          : '—';
      }),
    ];
  });
  return [
    'Dense: kernel [how it was chosen: tuned, cached or default], ms (p10–p90). Density columns: CSR median ms (dense ÷ CSR; > 1× means CSR is faster).',
    `Timer: ${records[0].timer}.`,
    '',
    markdownTable(
      ['layer', 'batch', 'dense ms', 'dense GFLOP/s', 'naive ÷ dense', ...densities.map(densityLabel)],
      rows,
    ),
  ].join('\n');
}

function modelSection(records: ModelBenchRow[]): string {
  if (records.length === 0) return 'Not measured (see the steps above).';
  const sparse = records.filter((r) => r.path === 'sparse');
  const rows = sparse.map((s) => {
    const d = records.find((r) => r.path === 'dense' && r.mode === s.mode && r.tokens === s.tokens);
    return [
      s.mode,
      s.tokens,
      d ? spread(d.medianMs, d.p10Ms, d.p90Ms) : '—',
      densityLabel(s.density),
      spread(s.medianMs, s.p10Ms, s.p90Ms),
      s.denseMs !== undefined
        ? `${ratio(s.denseMs / s.medianMs)}${s.clear ? '' : ' (no clear difference)'}`
        : '—',
      s.samples,
    ];
  });
  return [
    `Whole forward (prefill of N tokens, or one decode step after N), timer ${records[0].timer}.`,
    '',
    markdownTable(['mode', 'tokens', 'dense ms', 'density', 'sparse ms', 'speedup', 'samples'], rows),
  ].join('\n');
}

function dnnSection(report: GpuReport): string {
  if (report.dnn.length === 0) return 'Not measured (see the steps above).';
  return markdownTable(
    ['run', 'kernel', 'images', 'layers', 'ms per inference', 'edges/s', 'categories', 'truth'],
    report.dnn.map((d) => [
      d.step,
      d.kernel,
      d.nImages,
      d.nLayers,
      spread(d.total.ms, d.total.p10, d.total.p90),
      d.edgesPerSecond.toExponential(2),
      d.categories,
      d.truth,
    ]),
  );
}
