// Hostile URL parameters: bad values are reported the way an unknown model is and the app keeps working;
// `window.sparsescope.ready` settles (rejects) when the first model cannot load.
import { expect, test } from '@playwright/test';
import { collectErrors } from './helpers';

test('bad density, neurons, backend and view are reported, the defaults run', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/?model=tiny&density=constructor&neurons=abc&backend=gpu&view=top');
  await page.waitForFunction(() => window.sparsescope !== undefined);
  await page.evaluate(() => window.sparsescope.ready);
  // Shown once the start is done, and visible (every queued task, even the test's idle(), clears it).
  const banner = page.locator('#app-error');
  await expect(banner).toBeVisible();
  await expect(banner).toContainText('density: "constructor" is not a number');
  await expect(banner).toContainText('neurons: "abc"');
  await expect(banner).toContainText('backend: "gpu" is not one of webgpu, cpu');
  await expect(banner).toContainText('view: "top" is not one of both, sparse, dense'); // the same validator
  await page.screenshot({ path: 'test-results/hostile-url-params.png' });
  expect((await page.evaluate(() => window.sparsescope.debug.counts())).sparse.edges).toBeGreaterThan(0);
  expect(errors).toEqual([]);
});

test('ready rejects when the model cannot load', async ({ page }) => {
  await page.goto('/?model=no-such-model');
  await page.waitForFunction(() => window.sparsescope !== undefined);
  const outcome = await page.evaluate(() =>
    window.sparsescope.ready.then(
      () => 'resolved',
      (e: Error) => `rejected: ${e.message}`,
    ),
  );
  expect(outcome).toMatch(/^rejected: .*unknown model "no-such-model"/);
});
