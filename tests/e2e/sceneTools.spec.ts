// The scene's truth at a glance (issue 18): every block's time listed (gpt2-small's 12 layers and the
// unembedding) and on the spine, alone or in a collapsed run (gpt2-small, the 30-layer Graph Challenge network), the list's total equal to the headline, the token strip on the last token, the URL carrying
// the view to a fresh page, and a 390×844 phone with no sideways scroll where a tap opens the inspector.
//
// SCENE_SCREENSHOTS=1 also writes docs/img/desktop.png and docs/img/phone.png (for the README).

import { mkdirSync } from 'node:fs';
import { expect, type Page, test } from '@playwright/test';
import { collectErrors, expectShownTime, idle, openApp } from './helpers';

const SHOTS = process.env.SCENE_SCREENSHOTS === '1';

async function shot(page: Page, name: string): Promise<void> {
  await page.waitForTimeout(400);
  await page.screenshot({ path: `test-results/${name}.png` });
  if (SHOTS) {
    mkdirSync('docs/img', { recursive: true });
    await page.screenshot({ path: `docs/img/${name}.png` });
  }
}

/** Every timed block of both paths has a row with a time in the list, and the list adds up to the headline. */
async function expectEveryBlockListed(page: Page, blocks: string[]): Promise<void> {
  const rows = page.locator('#timing-panel .timing-rows .timing-row');
  await expect(rows).toHaveCount(blocks.length);
  expect(await rows.evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.key))).toEqual(blocks);
  for (const side of ['sparse', 'dense']) {
    const ms = await page
      .locator(`#timing-panel .timing-rows .cell-${side}`)
      .evaluateAll((els) => els.map((e) => Number((e as HTMLElement).dataset.ms)));
    expect(ms.every((v) => v >= 0)).toBe(true);
    const headline = await page.locator(`.headline-${side}`).textContent();
    const total = await page.locator(`#timing-panel .timing-total .cell-${side}`).textContent();
    expect(headline).toContain(total!); // the same formatted Σ
  }
  await expect(page.locator('#timing-panel')).toBeVisible();
}

/**
 * Every timed layer has its time on the spine: its own row shown with a time on both sides, or inside a shown
 * collapsed run ("blocks 3–5") whose data-layers names it. Polled: the runs grow over a few renders.
 */
async function expectEveryLayerOnSpine(page: Page, layerIds: string[]): Promise<void> {
  const missing = () =>
    page.evaluate((ids) => {
      const shown = (e: Element) => getComputedStyle(e).visibility === 'visible';
      const grouped = [...document.querySelectorAll<HTMLElement>('.spine-group')]
        .filter(shown)
        .flatMap((g) => (g.dataset.layers ?? '').split(' '));
      return ids.filter((id) => {
        const row = document.querySelector(`.spine.timed[data-layer="${id}"]`);
        const timed = row && shown(row) && row.querySelectorAll('.timing[data-ms]').length === 2;
        return !timed && !grouped.includes(id);
      });
    }, layerIds);
  await expect.poll(missing, { timeout: 10_000 }).toEqual([]);
  await expect(page.locator('#spine-hint')).toBeHidden(); // nothing left out, so nothing to point to
}

test('desktop: every block listed, the unembedding drawn and timed, token strip on the last token, URL round trip', async ({
  page,
}) => {
  const errors = collectErrors(page);
  await page.setViewportSize({ width: 1440, height: 900 });
  await openApp(page, '?model=tiny');
  const blocks = ['0:embed', '0:attn', '0:mlp', '1:attn', '1:mlp', '2:unembed'];
  await expectEveryBlockListed(page, blocks);
  const unembed = page.locator('.spine[data-layer="logits"] .timing[data-side="sparse"]');
  await expectShownTime(unembed);

  // The strip selects the last token (the one predicted from); a click selects another.
  const chips = page.locator('.token-chip');
  const count = await chips.count();
  await expect(chips.nth(count - 1)).toHaveAttribute('aria-pressed', 'true');
  // A new prompt of another length: the strip stays on its last token.
  const prompt = page.getByRole('textbox', { name: 'prompt' });
  await prompt.fill('def f(x, y):');
  await prompt.press('Enter');
  await idle(page);
  await expect(chips).not.toHaveCount(count);
  await expect(chips.last()).toHaveAttribute('aria-pressed', 'true');
  await expect(page.locator('.token-chip[aria-pressed="true"]')).toHaveCount(1);
  await chips.nth(2).click();
  await expect(chips.nth(2)).toHaveAttribute('aria-pressed', 'true');
  // Find a neuron by name; frame the sparse network; the URL follows.
  await page.getByRole('searchbox', { name: 'find a neuron' }).fill('block 1 MLP 7');
  await page.getByRole('searchbox', { name: 'find a neuron' }).press('Enter');
  await expect(page.locator('.inspector')).toHaveAttribute('data-index', '7');
  await page.keyboard.press('3'); // both networks in view again (the jump centred on the neuron)
  await shot(page, 'desktop');
  await page.keyboard.press('1');
  await expect(page).toHaveURL(/token=2.*neuron=sparse%3Ab1\.mlp%3A7.*view=sparse/);

  // The same URL on a fresh page opens the same view.
  const fresh = await page.context().newPage();
  const freshErrors = collectErrors(fresh);
  await fresh.setViewportSize({ width: 1440, height: 900 });
  await openApp(fresh, new URL(page.url()).search);
  await expect(fresh.locator('.token-chip').nth(2)).toHaveAttribute('aria-pressed', 'true');
  await expect(fresh.locator('.inspector')).toHaveAttribute('data-layer', 'b1.mlp');
  await expect(fresh.locator('.inspector')).toHaveAttribute('data-index', '7');
  expect(fresh.url()).toBe(page.url());
  expect([...errors, ...freshErrors], 'console errors').toEqual([]);
});

test('gpt2-small: all 12 layers and the unembedding have a time (CPU backend)', async ({ page }) => {
  test.setTimeout(180_000);
  const errors = collectErrors(page);
  await page.setViewportSize({ width: 1440, height: 900 });
  await openApp(page, '?model=gpt2-small&backend=cpu&prompt=Hi');
  const blocks = Array.from({ length: 12 }, (_, l) => [`${l}:attn`, `${l}:mlp`]).flat();
  // The embedding is listed too when the backend times it.
  const embed = await page.evaluate(() => window.sparsescope.timings.some((t) => t.op === 'embed'));
  await expectEveryBlockListed(page, [...(embed ? ['0:embed'] : []), ...blocks, '12:unembed']);
  await expect(page.locator('.spine[data-layer="logits"]')).toBeVisible();
  const layers = Array.from({ length: 12 }, (_, l) => [`b${l}.attn`, `b${l}.mlp`]).flat();
  await expectEveryLayerOnSpine(page, [...(embed ? ['embed'] : []), ...layers, 'logits']);
  await shot(page, 'desktop-gpt2-small');
  // A click on a collapsed run gives each of its blocks a row again.
  const run = page.locator('.spine-group').first();
  const first = await run.getAttribute('data-first');
  await run.locator('.spine-group-label').click();
  await expect(page.locator(`.spine[data-layer="b${first}.attn"]`)).toHaveCount(1);
  await expect(page.locator('.pred-note')).toContainText('mean nothing');
  expect(errors, 'console errors').toEqual([]);
});

test('Graph Challenge network: each of its 30 layers has a time on the spine or sits in a collapsed run', async ({
  page,
}) => {
  const errors = collectErrors(page);
  await page.setViewportSize({ width: 1440, height: 900 });
  await openApp(page, '?model=graph-challenge-dnn&input=287-295');
  await expectEveryLayerOnSpine(
    page,
    Array.from({ length: 30 }, (_, l) => `l${l + 1}`),
  );
  await shot(page, 'desktop-graph-challenge');
  expect(errors, 'console errors').toEqual([]);
});

test('phone 390×844: no sideways scroll, a tap opens the inspector, every panel reachable', async ({
  browser,
}) => {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    hasTouch: true,
    isMobile: true,
  });
  const page = await context.newPage();
  const errors = collectErrors(page);
  await openApp(page);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  const index = await page.evaluate(() => window.sparsescope.debug.displayed('b1.mlp')[0]);
  const at = await page.evaluate((i) => window.sparsescope.debug.nodeScreen('sparse', 'b1.mlp', i), index);
  await page.touchscreen.tap(at!.x, at!.y);
  await expect(page.locator('.inspector')).toBeVisible();
  await shot(page, 'phone');
  await page.locator('.inspector-close').tap();
  // The controls, the timing list, the predictions and the benchmark each open from a button on screen.
  for (const selector of ['.lil-gui.lil-root > .lil-title', '#tools-open', '#pred-open', '.bench-toggle']) {
    const box = await page.locator(selector).boundingBox();
    expect(box, selector).not.toBeNull();
    expect(
      box!.x >= 0 && box!.y >= 0 && box!.x + box!.width <= 390 && box!.y + box!.height <= 844,
      selector,
    ).toBe(true);
  }
  await page.locator('#tools-open').tap();
  await expect(page.locator('#timing-panel')).toBeVisible();
  await page.locator('.tools-close').tap(); // one bottom sheet at a time
  await page.locator('#pred-open').tap();
  await expect(page.locator('#predictions')).toBeVisible();
  await expect(page.locator('#timing-panel')).toBeHidden();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  expect(errors, 'console errors').toEqual([]);
  await context.close();
});
