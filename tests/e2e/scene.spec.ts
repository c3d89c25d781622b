// The scene as a person uses it: both networks drawn, a drag moves the picture, a click inspects a
// neuron (numbers checked against the graph itself), timings beside every layer, density changes the
// sparse network, no console errors. One page for the whole file (a load costs seconds on SwiftShader).
//
// SCENE_SCREENSHOTS=1 also writes docs/img/scene.png and docs/img/inspector.png.
// Frame times are a benchmark, not a test: npm run bench:scene (scripts/bench-scene.ts).

import { mkdirSync } from 'node:fs';
import { expect, type Page, test } from '@playwright/test';
import { expectShownTime } from './helpers';

test.describe.configure({ mode: 'serial' });

let page: Page;
const errors: string[] = [];
const SHOTS = process.env.SCENE_SCREENSHOTS === '1';

async function open(p: Page, query = ''): Promise<void> {
  await p.goto(`/${query}`);
  await p.waitForFunction(() => window.sparsescope !== undefined);
  await p.evaluate(() => window.sparsescope.ready);
}

/** Waits until the view has settled into a full-detail frame. */
async function settle(p: Page): Promise<void> {
  await p.waitForTimeout(400);
  await p.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

/**
 * Pixel statistics of a screenshot region, computed in the page from the PNG Playwright took (so the
 * DOM overlays count too): the fraction of pixels clearly brighter than the background.
 */
async function litFraction(p: Page, png: Buffer, region: { x: number; y: number; w: number; h: number }) {
  return p.evaluate(
    async ({ b64, region: r }) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = img.width;
      canvas.height = img.height;
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(img, 0, 0);
      const data = ctx.getImageData(r.x, r.y, r.w, r.h).data;
      let lit = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i] + data[i + 1] + data[i + 2] > 90) lit++;
      return lit / (r.w * r.h);
    },
    { b64: png.toString('base64'), region },
  );
}

async function pixelDifference(p: Page, a: Buffer, b: Buffer): Promise<number> {
  return p.evaluate(
    async ({ a64, b64 }) => {
      const load = async (src: string) => {
        const img = new Image();
        img.src = `data:image/png;base64,${src}`;
        await img.decode();
        const c = document.createElement('canvas');
        c.width = img.width;
        c.height = img.height;
        const ctx = c.getContext('2d')!;
        ctx.drawImage(img, 0, 0);
        return ctx.getImageData(0, 0, c.width, c.height).data;
      };
      const [x, y] = [await load(a64), await load(b64)];
      let changed = 0;
      for (let i = 0; i < x.length; i += 4) {
        if (Math.abs(x[i] - y[i]) + Math.abs(x[i + 1] - y[i + 1]) + Math.abs(x[i + 2] - y[i + 2]) > 40)
          changed++;
      }
      return changed / (x.length / 4);
    },
    { a64: a.toString('base64'), b64: b.toString('base64') },
  );
}

test.beforeAll(async ({ browser }) => {
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  // The synthetic tiny preset: pruned by the density control (the trained default has fixed sparsity).
  await open(page, '?model=tiny');
  await settle(page);
});

test.afterAll(async () => {
  expect(errors, 'console errors').toEqual([]);
  await page.close();
});

test('draws both networks: the canvas is not blank, the dense side is the denser', async () => {
  const counts = await page.evaluate(() => window.sparsescope.debug.counts());
  expect(counts.sparse.nodes).toBeGreaterThan(300);
  expect(counts.dense.nodes).toBe(counts.sparse.nodes);
  expect(counts.sparse.edges).toBeGreaterThan(100);
  expect(counts.dense.edges).toBeGreaterThan(3 * counts.sparse.edges);
  const png = await page.screenshot({ path: 'test-results/scene-default.png' });
  if (SHOTS) {
    mkdirSync('docs/img', { recursive: true });
    await page.screenshot({ path: 'docs/img/scene.png' });
  }
  const left = await litFraction(page, png, { x: 40, y: 120, w: 380, h: 560 });
  const right = await litFraction(page, png, { x: 660, y: 120, w: 320, h: 560 });
  expect(left).toBeGreaterThan(0.01);
  expect(right).toBeGreaterThan(left);
  await expect(page.locator('.net-title[data-side="sparse"] .net-name')).toContainText(
    /Sparse \(1\/\d+ of weights\)/,
  );
  await expect(page.locator('.net-title[data-side="dense"] .net-name')).toHaveText('Dense baseline');
  await expect(page.locator('.net-title[data-side="sparse"] .net-counts')).toContainText(
    `${counts.sparse.edges.toLocaleString('en-US')} edges`,
  );
  await expect(page.locator('#status')).toContainText('WebGPU');
});

test('the overlays show a time for every timed layer of both networks, a total and the speedup', async () => {
  const timed = await page.evaluate(() =>
    window.sparsescope.debug
      .graphs()!
      .sparse.layers.filter((l) => l.timing)
      .map((l) => l.id),
  );
  expect(timed.length).toBe(6); // the embedding, attention and MLP of 2 blocks, and the unembedding
  for (const side of ['sparse', 'dense']) {
    for (const id of timed) {
      const cell = page.locator(`.timing[data-side="${side}"][data-layer="${id}"]`);
      await expect(cell).toHaveCount(1);
      await expectShownTime(cell);
    }
  }
  const timings = await page.evaluate(() => window.sparsescope.timings);
  expect(timings.some((t) => t.path === 'sparse') && timings.some((t) => t.path === 'dense')).toBe(true);
  await expect(page.locator('.headline-speedup')).toContainText('×');
  await expect(page.locator('.headline-source')).toContainText('GPU timestamps');
});

test('a drag changes the picture', async () => {
  const before = await page.screenshot();
  await page.mouse.move(240, 420); // on the sparse network, clear of the clickable layer names
  await page.mouse.down();
  await page.mouse.move(300, 440, { steps: 6 });
  await page.mouse.move(380, 470, { steps: 6 });
  await page.mouse.up();
  await settle(page);
  const after = await page.screenshot();
  expect(await pixelDifference(page, before, after)).toBeGreaterThan(0.02);
  expect((await page.evaluate(() => window.sparsescope.frameStats)).count).toBeGreaterThan(0);
  await page.keyboard.press('r'); // back to the default view
  await settle(page);
});

test('clicking a neuron opens the inspector with numbers that match the graph', async () => {
  const layerId = 'b1.mlp';
  // The displayed neuron with the most outgoing sparse weights: a picture with something to show.
  const index = await page.evaluate((id) => {
    const { sparse } = window.sparsescope.debug.graphs()!;
    const out = sparse.edges.find((e) => e.from === id)!.weights as unknown as { colIdx: Uint32Array };
    const count = (n: number) => out.colIdx.filter((c) => c === n).length;
    return window.sparsescope.debug.displayed(id).reduce((best, n) => (count(n) > count(best) ? n : best));
  }, layerId);
  const at = await page.evaluate(({ id, i }) => window.sparsescope.debug.nodeScreen('sparse', id, i), {
    id: layerId,
    i: index,
  });
  expect(at).not.toBeNull();
  await page.mouse.click(at!.x, at!.y);
  const inspector = page.locator('.inspector');
  await expect(inspector).toBeVisible();
  const shownLayer = (await inspector.getAttribute('data-layer'))!;
  const shownIndex = Number(await inspector.getAttribute('data-index'));
  expect(await inspector.getAttribute('data-side')).toBe('sparse');
  // Fan-in / fan-out straight from the CSR arrays, independently of the inspector's code.
  const truth = await page.evaluate(
    ({ id, i }) => {
      const { sparse, dense } = window.sparsescope.debug.graphs()!;
      let fanIn = 0;
      let fanOut = 0;
      for (const e of sparse.edges) {
        const m = e.weights as unknown as { rowPtr: Uint32Array; colIdx: Uint32Array; nnz: number };
        if (e.to === id) fanIn += m.rowPtr[i + 1] - m.rowPtr[i];
        if (e.from === id) for (let k = 0; k < m.nnz; k++) if (m.colIdx[k] === i) fanOut++;
      }
      const denseIn = dense.edges.filter((e) => e.to === id).reduce((s, e) => s + e.weights.cols, 0);
      return { fanIn, fanOut, denseIn };
    },
    { id: shownLayer, i: shownIndex },
  );
  await expect(inspector.locator('[data-fact="fan-in"] .fact-value')).toHaveText(String(truth.fanIn));
  await expect(inspector.locator('[data-fact="fan-out"] .fact-value')).toHaveText(String(truth.fanOut));
  await expect(inspector.locator('[data-fact="fan-in"] .fact-note')).toContainText(
    `kept ${truth.fanIn} of ${truth.denseIn} dense`,
  );
  await expect(inspector.locator('[data-fact="activation"] .fact-value')).toHaveText(/^[+−]\d+\.\d{3}$/);
  await settle(page);
  await page.screenshot({ path: 'test-results/scene-inspector.png' });
  if (SHOTS) await page.screenshot({ path: 'docs/img/inspector.png' });
  // A strongest-in link jumps to that neuron.
  const link = inspector.locator('.inspector-weights').first().locator('.weight-link').first();
  const target = {
    layer: await link.getAttribute('data-layer'),
    index: await link.getAttribute('data-index'),
  };
  await link.click();
  await expect(inspector).toHaveAttribute('data-layer', target.layer!);
  await expect(inspector).toHaveAttribute('data-index', target.index!);
  await page.keyboard.press('Escape');
  await expect(inspector).toBeHidden();
});

test('changing density changes the sparse network and leaves the dense one', async () => {
  const before = await page.evaluate(() => window.sparsescope.debug.counts());
  const density = page.getByRole('combobox', { name: 'density' });
  await density.selectOption('1/4');
  await page.evaluate(() => window.sparsescope.debug.idle());
  await expect
    .poll(async () => (await page.evaluate(() => window.sparsescope.debug.counts())).sparse.edges)
    .toBeGreaterThan(before.sparse.edges);
  const after = await page.evaluate(() => window.sparsescope.debug.counts());
  expect(after.dense.edges).toBe(before.dense.edges);
  await expect(page.locator('.net-title[data-side="sparse"] .net-counts')).toContainText(
    `${after.sparse.edges.toLocaleString('en-US')} edges`,
  );
  await density.selectOption('1/64');
});

test('keyboard: help lists the shortcuts', async () => {
  await page.keyboard.press('?');
  await expect(page.locator('.help-overlay')).toBeVisible();
  await expect(page.locator('.help-list')).toContainText('frame the sparse network');
  await page.keyboard.press('Escape');
  await expect(page.locator('.help-overlay')).toBeHidden();
});
