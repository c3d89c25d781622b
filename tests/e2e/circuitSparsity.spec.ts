// An OpenAI circuit_sparsity checkpoint dropped on the page as a person would (final_model.pt with its
// beeg_config.json): both networks drawn, both paths run on WebGPU, and the predictions are the
// independent reference's (fixture_a: argmax after tokens 3, 17, 42, 5 is 22).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { torchSave, VIZ_NODES, vizDataObject } from '../vizDataFixture';
import { collectErrors, idle, openApp } from './helpers';

const DATA = resolve(
  fileURLToPath(new URL('../..', import.meta.url)),
  '..',
  'shared',
  'data',
  'circuit-sparsity',
);

test('drop final_model.pt + beeg_config.json: both networks run and predict the reference token', async ({
  page,
}) => {
  const errors = collectErrors(page);
  await openApp(page, '?model=tiny');
  const files = [
    { name: 'final_model.pt', bytes: [...readFileSync(resolve(DATA, 'fixture_a.pt'))] },
    { name: 'beeg_config.json', bytes: [...readFileSync(resolve(DATA, 'fixture_a.beeg_config.json'))] },
  ];
  await page.evaluate((list) => {
    const transfer = new DataTransfer();
    for (const f of list) transfer.items.add(new File([new Uint8Array(f.bytes)], f.name));
    const target = document.querySelector('canvas') ?? document.body;
    target.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }, files);
  await expect(page.locator('#status')).toContainText('token ids', { timeout: 120_000 });
  await idle(page);
  await expect(page.locator('#app-error')).toBeHidden();
  const predictions = page.locator('#predictions');
  await expect(predictions.locator('.pred-dense .pred-token').first()).toContainText('22');
  await expect(predictions.locator('.pred-sparse .pred-token').first()).toContainText('22');
  const timings = await page.evaluate(() => window.sparsescope.timings);
  for (const path of ['dense', 'sparse'])
    for (const layer of [0, 1])
      expect(timings.find((x) => x.path === path && x.layer === layer && x.op === 'mlp')).toBeDefined();
  expect((await page.evaluate(() => window.sparsescope.debug.counts())).sparse.edges).toBeGreaterThan(0);
  await page.screenshot({ path: 'test-results/circuit-sparsity.png' });
  expect(errors).toEqual([]);
});

test('drop viz_data.pt with the model: circuit mode shows the given circuit', async ({ page }) => {
  const errors = collectErrors(page);
  await openApp(page, '?model=tiny');
  const files = [
    { name: 'final_model.pt', bytes: [...readFileSync(resolve(DATA, 'fixture_a.pt'))] },
    { name: 'beeg_config.json', bytes: [...readFileSync(resolve(DATA, 'fixture_a.beeg_config.json'))] },
    { name: 'viz_data.pt', bytes: [...torchSave(vizDataObject())] },
  ];
  await page.evaluate((list) => {
    const transfer = new DataTransfer();
    for (const f of list) transfer.items.add(new File([new Uint8Array(f.bytes)], f.name));
    const target = document.querySelector('canvas') ?? document.body;
    target.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }, files);
  await expect(page.locator('#status')).toContainText('token ids', { timeout: 120_000 });
  await idle(page);
  await page.getByTestId('circuit-toggle').check();
  const nodes = Object.values(VIZ_NODES).flat().length;
  await expect(page.getByTestId('circuit-given-nodes')).toContainText(`${nodes} / `);
  await expect(page.getByTestId('circuit-message')).toContainText('viz_data.pt');
  await idle(page);
  const edges = Number((await page.getByTestId('circuit-given-edges').textContent())?.split(' / ')[0]);
  expect(edges).toBeGreaterThan(0);
  expect((await page.evaluate(() => window.sparsescope.debug.counts())).sparse.edges).toBe(edges);
  await page.screenshot({ path: 'test-results/circuit-sparsity-viz.png' });
  expect(errors).toEqual([]);
});
