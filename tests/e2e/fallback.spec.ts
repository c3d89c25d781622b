// Device loss mid-session: the app switches to the CPU, says so, keeps the model, prompt and camera,
// and the next run still has timings.
import { expect, test } from '@playwright/test';
import { cameraAtRest, collectErrors, idle, openApp, setPrompt } from './helpers';

test('losing the GPU device falls back to the CPU without losing anything the user set', async ({ page }) => {
  const errors = collectErrors(page);
  await openApp(page, '?model=tiny&density=1/16');
  await setPrompt(page, 'hello sparse');
  // Move the camera, so we can check it stays where the user put it.
  await page.mouse.move(300, 420);
  await page.mouse.down();
  await page.mouse.move(380, 470, { steps: 8 });
  await page.mouse.up();
  const cameraBefore = await cameraAtRest(page);
  const edgesBefore = (await page.evaluate(() => window.sparsescope.debug.counts())).sparse.edges;

  expect(await page.evaluate(() => window.sparsescope.debug.loseDevice())).toBe(true);
  await expect(page.locator('.status-backend')).toHaveAttribute('data-kind', 'cpu', { timeout: 60_000 });
  await idle(page);
  await expect(page.locator('.status-backend')).toContainText(/lost/);
  await expect(page.locator('#app-notice')).toContainText(/CPU/);

  const backend = await page.evaluate(() => window.sparsescope.backend);
  expect(backend).toMatchObject({ kind: 'cpu', reason: expect.stringMatching(/lost/) });
  const timings = await page.evaluate(() => window.sparsescope.timings);
  expect(timings.filter((t) => t.op === 'attn' && t.source === 'wall').length).toBeGreaterThanOrEqual(4);
  await expect(page.getByRole('textbox', { name: 'prompt' })).toHaveValue('hello sparse');
  await expect(page.getByRole('combobox', { name: 'density' })).toHaveValue('1/16');
  expect((await page.evaluate(() => window.sparsescope.debug.counts())).sparse.edges).toBe(edgesBefore);
  // Orbit damping may still be creeping by a few thousandths; a reset view would move it by tens.
  const cameraAfter = await cameraAtRest(page);
  cameraAfter.forEach((v, i) => {
    expect(v).toBeCloseTo(cameraBefore[i], 1);
  });

  // And the app still runs new prompts, on the CPU.
  await setPrompt(page, 'still here');
  expect((await page.evaluate(() => window.sparsescope.timings)).every((t) => t.source === 'wall')).toBe(
    true,
  );
  expect(errors).toEqual([]);
});
