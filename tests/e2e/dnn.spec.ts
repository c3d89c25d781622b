// The Graph Challenge sparse DNN in the app: the built-in example (served from the shared data folder by
// vite.config.ts's dataset plugin) opened by URL, 32 images run through the sparse and the dense path on
// WebGPU, then on the CPU worker. Images 280–311 hold two of the 19 true categories (287 and 295); the dense
// path over 32 images is 2 GFLOP, a few seconds on SwiftShader.
//
// SCENE_SCREENSHOTS=1 also writes docs/img/dnn.png. Load and run times are logged (never asserted).

import { mkdirSync } from 'node:fs';
import { expect, type Page, test } from '@playwright/test';

const SHOTS = process.env.SCENE_SCREENSHOTS === '1';
const LAYERS = 30;

/** Opens the page, collects console errors and main-thread long tasks, and waits for the first run. */
async function openDnn(page: Page, query: string, errors: string[], range = '280-311'): Promise<string> {
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.addInitScript(() => {
    const w = window as unknown as { longTasks: number[] };
    w.longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.longTasks.push(e.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
  await page.goto(`/?model=graph-challenge-dnn&input=${range}${query}`);
  await page.waitForFunction(() => window.sparsescope !== undefined);
  const start = range.split('-')[0];
  await page.waitForFunction(
    (first) => window.sparsescope.last?.summary.startsWith(`images ${first}`) ?? false,
    start,
    { timeout: 100_000 },
  );
  await page.evaluate(() => window.sparsescope.debug.idle());
  return page.evaluate(() => window.sparsescope.last!.summary);
}

/** The sparsescope.dnn.* measures and the long tasks, for the log. */
async function loadReport(page: Page): Promise<string> {
  return page.evaluate(() => {
    const parts = performance
      .getEntriesByType('measure')
      .filter((m) => m.name.startsWith('sparsescope.dnn.'))
      .map((m) => {
        const detail = (m as PerformanceMeasure).detail as Record<string, number> | null;
        const extra = detail
          ? ` (${Object.entries(detail)
              .map(([k, v]) => `${k} ${v.toFixed(1)}`)
              .join(', ')})`
          : '';
        return `${m.name.slice('sparsescope.dnn.'.length)} ${m.duration.toFixed(0)} ms${extra}`;
      });
    const long = (window as unknown as { longTasks: number[] }).longTasks;
    parts.push(`long tasks: ${long.length}, longest ${Math.max(0, ...long).toFixed(0)} ms`);
    return parts.join(' · ');
  });
}

async function expectLayerTimes(page: Page, source: string): Promise<void> {
  const timed = await page.evaluate(() =>
    window.sparsescope.debug
      .graphs()!
      .sparse.layers.filter((l) => l.timing)
      .map((l) => l.id),
  );
  expect(timed).toHaveLength(LAYERS);
  // Every layer has a time of each path on the spine: its own row, or a collapsed run of layers
  // (.spine-group, data-layers lists them) whose time is their sum.
  const untimed = () =>
    page.evaluate((ids) => {
      const ms = (row: Element | null, side: string) =>
        Number(row?.querySelector(`.timing[data-side="${side}"]`)?.getAttribute('data-ms') ?? 0);
      const groups = [...document.querySelectorAll<HTMLElement>('.spine-group')];
      return ids.flatMap((id) =>
        ['sparse', 'dense'].flatMap((side) => {
          const own = document.querySelector(`.timing[data-side="${side}"][data-layer="${id}"]`);
          const group = groups.find((g) => (g.dataset.layers ?? '').split(' ').includes(id)) ?? null;
          const t = own ? Number(own.getAttribute('data-ms')) : ms(group, side);
          return t > 0 ? [] : [`${side} ${id}`];
        }),
      );
    }, timed);
  await expect.poll(untimed, { timeout: 10_000 }).toEqual([]);
  const timings = await page.evaluate(() => window.sparsescope.timings);
  expect(timings).toHaveLength(2 * LAYERS);
  expect(timings.every((t) => t.op === 'dnn' && t.source === source)).toBe(true);
  await expect(page.locator('.headline-speedup')).toContainText('×');
  // The spine between the networks has room for some layers; the timing list beside the scene has all 30.
  const listed = page.locator('#timing-panel .timing-rows .timing-row');
  await expect(listed).toHaveCount(LAYERS);
  await expect(listed.last()).toContainText(`layer ${LAYERS}`);
  await expect(page.locator('#timing-panel')).toBeVisible();
}

test('Graph Challenge DNN on WebGPU: right categories, a time beside every layer of both networks', async ({
  page,
}) => {
  test.setTimeout(150_000);
  const errors: string[] = [];
  const t0 = Date.now();
  const summary = await openDnn(page, '', errors);
  console.log(`webgpu: ${((Date.now() - t0) / 1000).toFixed(1)} s to the first result · ${summary}`);
  console.log(`webgpu: ${await loadReport(page)}`);
  expect(summary).toContain('categories 287, 295 = truth ✓');
  expect(summary).toContain('WebGPU');
  expect(summary).toMatch(/sparse [\d.]+e\d+ edges\/s .* dense [\d.]+e\d+ edges\/s/);
  await expect(page.locator('#status')).toContainText('WebGPU');
  await expectLayerTimes(page, 'gpu-timestamp');

  // Both networks drawn, same weights: the same (nonzero) edges on both sides.
  const counts = await page.evaluate(() => window.sparsescope.debug.counts());
  expect(counts.sparse.edges).toBeGreaterThan(0);
  expect(counts.dense.edges).toBe(counts.sparse.edges);
  expect(counts.sparse.nodes).toBe(counts.dense.nodes);
  const shownEdges = await page
    .locator('.net-title[data-side="sparse"] .net-counts')
    .getAttribute('data-edges');
  expect(Number(shownEdges)).toBe(counts.sparse.edges);
  await expect(page.locator('.net-title[data-side="sparse"] .net-name')).toHaveText(
    'Sparse DNN (1/32 of weights)',
  );
  await expect(page.locator('.net-title[data-side="dense"] .net-name')).toHaveText(
    'Dense storage (same weights)',
  );
  // The surviving images light the scene: their labels are the "tokens".
  const tokens = await page.evaluate(() => window.sparsescope.last!.scene.activations?.sparse?.tokens);
  expect(tokens).toEqual(['img 287', 'img 295']);

  await page.waitForTimeout(400);
  await page.screenshot({ path: 'test-results/dnn.png' });
  if (SHOTS) {
    mkdirSync('docs/img', { recursive: true });
    await page.screenshot({ path: 'docs/img/dnn.png' });
  }
  await expect(page.locator('#app-error')).toBeHidden();
  expect(errors, 'console errors').toEqual([]);
});

test('Graph Challenge DNN on the CPU worker: the same categories, wall-clock times', async ({ page }) => {
  test.setTimeout(120_000);
  const errors: string[] = [];
  const summary = await openDnn(page, '&backend=cpu', errors);
  console.log(`cpu: ${summary}`);
  console.log(`cpu: ${await loadReport(page)}`);
  expect(summary).toContain('categories 287, 295 = truth ✓');
  expect(summary).toContain('CPU');
  await expectLayerTimes(page, 'wall');
  await page.screenshot({ path: 'test-results/dnn-lost.png' });
  await expect(page.locator('#app-error')).toBeHidden();
  expect(errors, 'console errors').toEqual([]);
});

test('Graph Challenge DNN after a lost GPU device: the same run on the CPU, the network and input kept', async ({
  page,
}) => {
  test.setTimeout(150_000);
  const errors: string[] = [];
  // Images 287–295: two true categories, and a dense path small enough to be quick on SwiftShader.
  const before = await openDnn(page, '', errors, '287-295');
  expect(before).toContain('categories 287, 295 = truth ✓ · WebGPU');
  const edges = (await page.evaluate(() => window.sparsescope.debug.counts())).sparse.edges;

  // As for GPT-2 (fallback.spec.ts): the session notices the loss, says so, re-runs on the CPU.
  expect(await page.evaluate(() => window.sparsescope.debug.loseDevice())).toBe(true);
  await expect(page.locator('.status-backend')).toHaveAttribute('data-kind', 'cpu', { timeout: 60_000 });
  await page.evaluate(() => window.sparsescope.debug.idle());
  await expect(page.locator('.status-backend')).toContainText(/lost/);
  await expect(page.locator('#app-notice')).toContainText(/CPU/);
  const after = await page.evaluate(() => window.sparsescope.last!.summary);
  expect(after).toContain('categories 287, 295 = truth ✓ · CPU');
  await expect(page.getByRole('textbox', { name: /images/ })).toHaveValue('287-295');
  expect((await page.evaluate(() => window.sparsescope.debug.counts())).sparse.edges).toBe(edges);
  await expectLayerTimes(page, 'wall');
  await page.screenshot({ path: 'test-results/dnn-lost.png' });
  await expect(page.locator('#app-error')).toBeHidden();
  expect(errors, 'console errors').toEqual([]);
});
