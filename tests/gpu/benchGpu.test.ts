// `sparsescope bench-gpu --quick` end to end on this machine's adapter (SwiftShader here): every part runs
// as its own process through the CLI's normal entry point, and the JSON and Markdown it writes are named
// after the adapter and hold each part's results. Tiny sizes (≈ 30 s); nothing here is a timing assertion.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { adapterSlug, type GpuReport } from '../../src/bench/gpuReport';

const out = mkdtempSync(join(tmpdir(), 'sparsescope-bench-gpu-test-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const spreadOk = (ms: number, p10: number, p90: number) =>
  Number.isFinite(ms) && ms > 0 && p10 <= ms && ms <= p90;

describe('sparsescope bench-gpu --quick', () => {
  it('runs every part and writes one JSON and one Markdown named after the adapter', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['bin/sparsescope.mjs', 'bench-gpu', '--quick', '--out', out],
      { maxBuffer: 1 << 26 },
    ); // rejects on a nonzero exit: every step must have finished
    const files = readdirSync(out).sort();
    expect(files).toHaveLength(2);
    const report = JSON.parse(readFileSync(join(out, files[0]), 'utf8')) as GpuReport;
    expect(files).toEqual([`${report.slug}-quick.json`, `${report.slug}-quick.md`]);
    expect(report.file).toBe(`${report.slug}-quick`);
    expect(report.slug).toBe(adapterSlug(report.adapter));
    expect(report).toMatchObject({ schema: 'sparsescope-gpu-report/1', quick: true, cut: [] });
    expect(report.adapter?.vendor).toBeTruthy();
    expect(report.steps.map((s) => `${s.part} ${s.status}`)).toEqual([
      'info ok',
      'gemm ok',
      'sweep ok',
      'model ok',
      'dnn ok',
    ]);

    // GEMM against tfjs: both products computed and equal, both timed.
    expect(report.gemm.map((r) => r.shape)).toEqual(['64×64·64×64', '128×128·128×128']);
    for (const r of report.gemm) {
      expect(r.maxRelDiff).toBeLessThan(1e-3);
      expect(spreadOk(r.ours.medianMs, r.ours.p10Ms, r.ours.p90Ms)).toBe(true);
      expect(spreadOk(r.peerTime.medianMs, r.peerTime.p10Ms, r.peerTime.p90Ms)).toBe(true);
    }
    // Sweep: 2 shapes × 2 batches × (dense, naive, 2 densities), then the square GEMM (tiled and naive).
    expect(report.sweep.records).toHaveLength(18);
    for (const r of report.sweep.records) expect(spreadOk(r.medianMs, r.p10Ms, r.p90Ms)).toBe(true);
    expect(report.sweep.records.filter((r) => r.shape === 'gemm 64³')).toHaveLength(2);
    // Model: dense and 1/64 at prefill 1, 8 and one decode step.
    expect(report.model?.records.map((r) => `${r.path} ${r.mode} ${r.tokens}`)).toEqual([
      'dense prefill 1',
      'sparse prefill 1',
      'dense prefill 8',
      'sparse prefill 8',
      'dense decode 8',
      'sparse decode 8',
    ]);
    for (const r of report.model?.records ?? []) expect(spreadOk(r.medianMs, r.p10Ms, r.p90Ms)).toBe(true);
    // DNN: all 30 layers, images 251–450 (5 of the true categories), checked against the truth file.
    expect(report.dnn).toHaveLength(1);
    expect(report.dnn[0]).toMatchObject({ nImages: 200, nLayers: 30, categories: 5, truth: 'match' });
    expect(report.dnn[0].kernel).toMatch(/^webgpu /);

    // The Markdown: a table per part, printed on stdout too.
    const md = readFileSync(join(out, files[1]), 'utf8');
    expect(stdout).toContain(md.trim());
    expect(md).toContain('Nothing was cut.');
    if (report.adapter?.isFallbackAdapter) expect(md).toContain('nothing here measures a GPU');
    expect(md).toContain(`Raw results: ${report.slug}-quick.json`);
    expect(md).toContain(
      '| `sparsescope dnn --layers <dnn-dir> --input <dnn-dir>/sparse-images-1024_subset.mtx',
    );
    for (const heading of [
      '## Adapter',
      '## Steps and budgets',
      '## 1. Square GEMM',
      '## 2. GPT-2 small layers',
      '## 3. Whole model',
      '## 4. Graph Challenge',
    ])
      expect(md).toContain(heading);
    expect(md).toMatch(/\| 128×128·128×128 \| \S+ \| [\d.]+ \([\d.]+–[\d.]+\) \|/);
    // The sweep's dense cell: the kernel that ran (with its tuning), how it was chosen, ms (p10–p90).
    expect(md).toMatch(
      /\| 64×192 \| 8 \| tiled-\S+ [^|]*\[(tuned|cached|default)\] [\d.]+ \([\d.]+–[\d.]+\) \|/,
    );
    expect(md).toMatch(/\| decode \| 8 \| [\d.]+ \([\d.]+–[\d.]+\) \| 1\/64 \|/);
    expect(md).toMatch(
      /\| DNN, images 251–450, live rows \| webgpu live rows \| 200 \| 30 \| .* \| 5 \| match \|/,
    );
  });
});
