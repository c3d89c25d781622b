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
  await expect(control).toContainText('tuned on this GPU');
  const first = await kernels();
  expect(first.length).toBeGreaterThan(0);
  // Which shapes the 4 s budget reaches with a better kernel depends on the machine's load: each layer's
  // kernel is either tuned here or the default (recorded as such), never unexplained.
  expect(first.every((k) => k.chosen === 'tuned' || k.chosen === 'default')).toBe(true);
  const cache = await page.evaluate(() => JSON.parse(localStorage.getItem('sparsescope.tuning') ?? 'null'));
  expect(cache.schema).toBe('sparsescope-tuning/1');
  const [entry] = Object.values(cache.entries) as { table: Record<string, unknown> }[];
  // 4 block linears × dense and CSR, and the unembedding (the dense wte on both paths), × batches 64 and 1.
  expect(Object.keys(entry.table)).toHaveLength(18);
  await page.screenshot({ path: 'test-results/autotune-tuned.png' });

  await page.reload();
  await settle();
  await expect(control).toHaveAttribute('data-state', 'cached');
  await expect(control).toContainText('from the cache');
  const second = await kernels();
  expect(second.map((k) => `${k.at} ${k.kernel}`)).toEqual(first.map((k) => `${k.at} ${k.kernel}`));
  // Tuned before, cached now; the default stays the default. Nothing was tuned on this load.
  expect(second.map((k) => k.chosen)).toEqual(
    first.map((k) => (k.chosen === 'tuned' ? 'cached' : 'default')),
  );
  // The reload read back the URL the first load wrote (the trained pair's stored density included)
  // without a complaint.
  await expect(page.locator('#app-error')).toBeHidden();

  // Switching backends refreshes the line: gone on the CPU, back (from the cache) on the GPU.
  const backend = page.getByRole('combobox', { name: 'backend' });
  await backend.selectOption('cpu');
  await settle();
  await expect(control).toBeHidden();
  await backend.selectOption('webgpu');
  await settle();
  await expect(control).toHaveAttribute('data-state', 'cached');
  await expect(control.getByRole('button', { name: 'Retune' })).toBeVisible();
  expect(errors).toEqual([]);
});
