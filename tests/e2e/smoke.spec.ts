import { expect, test } from '@playwright/test';

test('the page finds a WebGPU adapter', async ({ page }) => {
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await expect(page.locator('#status')).toContainText('WebGPU');
  expect(errors).toEqual([]);
});
