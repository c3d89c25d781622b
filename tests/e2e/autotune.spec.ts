// Kernel autotuning in the app: the first load on this adapter tunes the model's linear-layer kernels with
// its progress in the status bar, the timings say which kernel ran and how it was chosen, and a reload
// takes every choice from localStorage (no tuning, the same kernels). The only spec that tunes: the others
// start with tuning off (playwright.config.ts).
import { expect, test } from '@playwright/test';
import { collectErrors, idle } from './helpers';

test.use({ storageState: { cookies: [], origins: [] } });

test('the first load tunes the kernels with visible progress, and a reload reuses the cache', async ({
  page,
}) => {
  const errors = collectErrors(page);
  await page.goto('/');
  const control = page.locator('#kernel-tuning');
  await expect(control).toHaveAttribute('data-state', 'tuning');
  await expect(control).toContainText('Tuning kernels for this GPU');
  await expect(control.getByRole('button', { name: 'Skip' })).toBeVisible();
  await page.screenshot({ path: 'test-results/autotune-progress.png' });
  const settle = async () => {
    await page.waitForFunction(() => window.sparsescope !== undefined);
    await page.evaluate(() => window.sparsescope.ready);
    await idle(page);
  };
  await settle();
  await expect(control).toHaveAttribute('data-state', 'tuned');
  await expect(control.getByRole('button', { name: 'Retune' })).toBeVisible();
  const kernels = () =>
    page.evaluate(() =>
      window.sparsescope.timings
        .filter((t) => t.kernel)
        .map((t) => ({ at: `${t.path} ${t.layer} ${t.op}`, kernel: t.kernel, chosen: t.chosen })),
    );
  const first = await kernels();
  expect(first.length).toBeGreaterThan(0);
  expect(first.some((k) => k.chosen === 'tuned')).toBe(true);
  expect(await page.evaluate(() => localStorage.getItem('sparsescope.tuning'))).toContain(
    'sparsescope-tuning/1',
  );
  await page.screenshot({ path: 'test-results/autotune-tuned.png' });

  await page.reload();
  await settle();
  await expect(control).toHaveAttribute('data-state', 'cached');
  await expect(control).toContainText('from the cache');
  const second = await kernels();
  expect(second.map((k) => `${k.at} ${k.kernel}`)).toEqual(first.map((k) => `${k.at} ${k.kernel}`));
  expect(second.filter((k) => k.chosen === 'cached').length).toBe(
    first.filter((k) => k.chosen === 'tuned').length,
  );
  expect(second.some((k) => k.chosen === 'tuned')).toBe(false);
  expect(errors).toEqual([]);
});
