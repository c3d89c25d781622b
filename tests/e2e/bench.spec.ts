// The benchmark panel end to end: a tiny sweep started by URL parameters on the page's WebGPU adapter
// (SwiftShader here), its table, its three charts, the exported JSON/CSV, persistence, and URL errors.
import { readFileSync } from 'node:fs';
import { expect, type Page, test } from '@playwright/test';

const TINY = '/?bench=auto&shapes=256x128&densities=1,1/16&batches=1,4&samples=3';
/** 2 batches × (1 dense + 2 densities) */
const ROWS = 6;

type Outcome =
  | { ok: true; report: { records: unknown[]; environment: unknown } }
  | { ok: false; message: string };

test.use({ viewport: { width: 1440, height: 900 } });
// The config reuses whatever serves port 5199; point this spec at another dev server of this tree if needed.
if (process.env.SPARSESCOPE_BASE_URL) test.use({ baseURL: process.env.SPARSESCOPE_BASE_URL });

/** Listen for the panel's events before any page script runs, and silence Vite's HMR socket so that
 * edits elsewhere in the tree cannot reload the page mid-sweep. */
async function prepare(page: Page, errors: string[]): Promise<void> {
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.routeWebSocket(/.*/, () => {});
  await page.addInitScript(() => {
    const w = window as unknown as { __benchOutcome?: unknown };
    window.addEventListener('sparsescope:bench-done', (e) => {
      w.__benchOutcome = { ok: true, report: (e as CustomEvent).detail };
    });
    window.addEventListener('sparsescope:bench-error', (e) => {
      w.__benchOutcome = { ok: false, message: (e as CustomEvent<{ message: string }>).detail.message };
    });
  });
}

async function outcome(page: Page, timeout: number): Promise<Outcome> {
  const handle = await page.waitForFunction(
    () => (window as unknown as { __benchOutcome?: unknown }).__benchOutcome,
    null,
    { timeout, polling: 250 },
  );
  return (await handle.jsonValue()) as Outcome;
}

/** Pixels of a chart canvas that are drawn at all, and those in the batch-1 colour (#5ee0b5, the data). */
async function canvasInk(page: Page, kind: string): Promise<{ drawn: number; data: number }> {
  return page.locator(`.bench-chart[data-chart="${kind}"] canvas`).evaluate((node) => {
    const canvas = node as HTMLCanvasElement;
    const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let drawn = 0;
    let data = 0;
    for (let i = 0; i < pixels.length; i += 4) {
      if (pixels[i + 3] > 0) drawn++;
      const near = Math.abs(pixels[i] - 94) + Math.abs(pixels[i + 1] - 224) + Math.abs(pixels[i + 2] - 181);
      if (pixels[i + 3] > 200 && near < 40) data++;
    }
    return { drawn, data };
  });
}

test('a tiny sweep from URL parameters: table, charts, export, persistence', async ({ page }) => {
  test.setTimeout(240_000); // SwiftShader compiles the dense and CSR pipelines slowly (CPU-bound)
  const errors: string[] = [];
  await prepare(page, errors);
  const started = Date.now();
  await page.goto(TINY);
  await expect(page.locator('.bench-overlay')).toBeVisible();
  const result = await outcome(page, 200_000);
  if (!result.ok) throw new Error(`bench-error: ${result.message}`);
  console.log(`sweep finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  expect(result.report.records).toHaveLength(ROWS);

  // The table: one row per point, both paths, a speedup on every CSR row.
  const rows = page.locator('.bench-table tbody tr');
  await expect(rows).toHaveCount(ROWS);
  await expect(page.locator('.bench-table tbody tr[data-path="dense"]')).toHaveCount(2);
  await expect(
    page.locator(
      '.bench-table tbody tr[data-path="sparse"] td.bench-win, .bench-table tbody tr[data-path="sparse"] td.bench-loss',
    ),
  ).toHaveCount(4);
  await expect(page.locator('.bench-env')).toContainText('swiftshader');
  await expect(page.locator('.bench-caveats')).toContainText('CPU-emulated');

  // The three charts are drawn, with data lines in them (not just axes).
  for (const kind of ['speedup', 'time', 'bandwidth']) {
    const ink = await canvasInk(page, kind);
    expect(ink.drawn, `${kind} chart drawn`).toBeGreaterThan(2000);
    expect(ink.data, `${kind} chart has a batch-1 line`).toBeGreaterThan(40);
  }

  await page.screenshot({ path: '/tmp/bench-panel.png' });

  // window.sparsescope.bench is merged into the app's API object, not a replacement of it.
  const api = await page.evaluate(() => {
    const s = (window as unknown as { sparsescope: Record<string, unknown> }).sparsescope;
    return { hasDebug: 'debug' in s, records: (s.bench as { records: unknown[] }).records.length };
  });
  expect(api).toEqual({ hasDebug: true, records: ROWS });

  // Export JSON: the shared schema, checked here and by the page's own loader (validateReport behind
  // "Open JSON…"), which must also reject a broken copy.
  const [jsonDownload] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export JSON' }).click(),
  ]);
  const jsonPath = (await jsonDownload.path())!;
  const exported = JSON.parse(readFileSync(jsonPath, 'utf8'));
  expect(exported.schema).toBe('sparsescope-bench/1');
  expect(exported.records).toHaveLength(ROWS);
  expect(exported.environment.copyGbps).toBeGreaterThan(0);
  expect(exported.environment.compile.denseMs).toBeGreaterThan(0);
  // The file holds the run that just finished, not another or a partly rebuilt copy of it.
  expect(exported.environment).toEqual(result.report.environment);
  expect(exported.records).toEqual(result.report.records);
  const fileInput = page.locator('.bench-toolbar input[type="file"]');
  const broken = structuredClone(exported);
  delete broken.records[2].medianMs;
  await fileInput.setInputFiles({
    name: 'broken.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(broken)),
  });
  await expect(page.locator('.bench-status')).toContainText('record 2 has no "medianMs"');
  await fileInput.setInputFiles(jsonPath);
  await expect(page.locator('.bench-status')).toContainText('Opened');
  await expect(rows).toHaveCount(ROWS);
  const [csvDownload] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export CSV' }).click(),
  ]);
  const csv = readFileSync((await csvDownload.path())!, 'utf8')
    .trim()
    .split('\n');
  expect(csv[0]).toContain('medianMs');
  expect(csv[0].endsWith(',speedup')).toBe(true);
  expect(csv).toHaveLength(ROWS + 1);

  // Run again (pipelines are cached now) and cancel: progress shows, the old results stay.
  await page.getByRole('button', { name: 'Run benchmark' }).click();
  await expect(page.locator('.bench-progress')).toBeVisible();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.locator('.bench-status')).toContainText('Cancelled', { timeout: 60_000 });
  await expect(rows).toHaveCount(ROWS);

  // Results survive a reload (opened without re-running).
  await page.goto('/?bench=open');
  await expect(page.locator('.bench-table tbody tr')).toHaveCount(ROWS);
  await expect(page.locator('.bench-status')).toContainText('Restored');
  expect((await canvasInk(page, 'speedup')).data).toBeGreaterThan(40);
  expect(errors).toEqual([]);
});

test('bad URL parameters fail with a message naming the parameter', async ({ page }) => {
  const errors: string[] = [];
  await prepare(page, errors);
  await page.goto('/?bench=auto&shapes=256x128&densities=1,2&batches=1');
  const result = await outcome(page, 20_000);
  expect(result.ok).toBe(false);
  if (!result.ok) expect(result.message).toContain('densities: 2 is outside (0, 1]');
  await expect(page.locator('.bench-status')).toContainText('densities');
  expect(errors).toEqual([]);
});

test('without WebGPU, backend=auto falls back to the CPU kernels and says so', async ({ page }) => {
  const errors: string[] = [];
  await prepare(page, errors);
  await page.addInitScript(() => {
    // As on a browser without WebGPU: the app and the panel must both cope.
    Reflect.deleteProperty(Navigator.prototype, 'gpu');
  });
  await page.goto('/?bench=auto&shapes=64x32&densities=1,1/8&batches=1&samples=2&backend=auto');
  const result = await outcome(page, 60_000);
  if (!result.ok) throw new Error(`bench-error: ${result.message}`);
  await expect(page.locator('.bench-table tbody tr')).toHaveCount(3);
  await expect(page.locator('.bench-caveats')).toContainText('CPU backend (This browser has no WebGPU');
  // Chromium has WASM SIMD: the label says which CPU kernels ran (src/bench/cpuSweep.ts cpuKernelLabel).
  await expect(page.locator('.bench-env')).toContainText(
    'CPU (WASM SIMD, JavaScript for small shapes (one thread))',
  );
  expect(errors).toEqual([]);
});
