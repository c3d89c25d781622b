// Without WebGPU (the no-webgpu project launches Chromium without --enable-unsafe-webgpu): the scene still
// draws both networks and the status line says the CPU is in use, and why.

import { expect, test } from '@playwright/test';

test('without WebGPU the scene still draws and the status says CPU, with the reason', async ({ page }) => {
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await page.waitForFunction(() => window.sparsescope !== undefined);
  await page.evaluate(() => window.sparsescope.ready);
  await expect(page.locator('.status-backend')).toHaveAttribute('data-kind', 'cpu');
  await expect(page.locator('.status-backend')).toContainText(/CPU — .*adapter/i);
  const backend = await page.evaluate(() => window.sparsescope.backend);
  expect(backend.kind).toBe('cpu');
  expect(backend.reason).toMatch(/adapter/i);
  const counts = await page.evaluate(() => window.sparsescope.debug.counts());
  expect(counts.sparse.edges).toBeGreaterThan(0);
  expect(counts.dense.edges).toBeGreaterThan(counts.sparse.edges);
  expect(errors).toEqual([]);
});
