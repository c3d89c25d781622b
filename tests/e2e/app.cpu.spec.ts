// Without WebGPU (Chromium launched without --enable-unsafe-webgpu): every feature works on the CPU, and
// the app says it is on the CPU and why — scene, overlays, inspector, a prompt, a tiny benchmark.
import { expect, test } from '@playwright/test';
import { clickNeuron, collectErrors, idle, openApp, setPrompt } from './helpers';

test('the whole app runs on the CPU and says why', async ({ page }) => {
  const errors = collectErrors(page);
  await openApp(page);
  await expect(page.locator('.status-backend')).toHaveAttribute('data-kind', 'cpu');
  await expect(page.locator('.status-backend')).toContainText(/CPU — .*adapter/i);
  expect((await page.evaluate(() => window.sparsescope.backend)).reason).toMatch(/adapter/i);

  // The scene and its timings (wall clock, from the CPU workers), for both paths.
  const counts = await page.evaluate(() => window.sparsescope.debug.counts());
  expect(counts.sparse.edges).toBeGreaterThan(0);
  expect(counts.dense.edges).toBeGreaterThan(counts.sparse.edges);
  await expect(page.locator('.headline-source')).toContainText('wall clock');
  const timed = page.locator('.timing[data-side="sparse"]');
  expect(await timed.count()).toBeGreaterThanOrEqual(4);
  const timings = await page.evaluate(() => window.sparsescope.timings);
  expect(timings.some((t) => t.path === 'dense' && t.op === 'mlp' && t.source === 'wall')).toBe(true);
  expect(timings.some((t) => t.path === 'sparse' && t.op === 'mlp' && t.source === 'wall')).toBe(true);

  // The trained pair still predicts correctly on the CPU.
  await expect(page.locator('.pred-sparse .pred-token').first()).toHaveText('.');

  // The inspector.
  await clickNeuron(page, 'sparse', 'b1.mlp');
  await expect(page.locator('.inspector')).toBeVisible();
  await expect(page.locator('.inspector [data-fact="fan-in"] .fact-value')).toHaveText(/^\d+$/);
  await page.keyboard.press('Escape');

  // A new prompt.
  await setPrompt(page, "s = '");
  await expect(page.locator('#status')).toContainText('5 tokens');

  // A tiny benchmark, on the CPU kernels.
  await page.goto('/?bench=auto&shapes=96x64&densities=1,1/16&batches=1,4&samples=3');
  const report = await page.evaluate(
    () =>
      new Promise<unknown>((resolve, reject) => {
        window.addEventListener('sparsescope:bench-done', (e) => resolve((e as CustomEvent).detail));
        window.addEventListener('sparsescope:bench-error', (e) =>
          reject(new Error(JSON.stringify((e as CustomEvent).detail))),
        );
      }),
  );
  const r = report as { environment: { backend: string }; records: { path: string; backend: string }[] };
  expect(r.environment.backend).toBe('cpu');
  expect(r.records.filter((x) => x.path === 'sparse').length).toBe(4);
  expect(errors).toEqual([]);
});

// The CPU compute runs in workers and the scene is rebuilt one step per task, so the page never freezes
// while a run is shown: no main-thread task over 50 ms (the Long Tasks API's own threshold).
test('runs never block the main thread for more than 50 ms', async ({ page }) => {
  const errors = collectErrors(page);
  await openApp(page);
  expect(await page.evaluate(() => PerformanceObserver.supportedEntryTypes.includes('longtask'))).toBe(true);
  const buildsBefore = await page.evaluate(() => window.sparsescope.debug.builds());
  // Found once, before measuring: a role query runs Playwright's own script in the page (20–50 ms).
  const box = await page.getByRole('textbox', { name: 'prompt' }).elementHandle();
  await page.evaluate(() => {
    const w = window as unknown as { longTasks: number[] };
    w.longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.longTasks.push(Math.round(e.duration));
    }).observe({ type: 'longtask' });
  });
  // Different prompts light up different neurons, so some runs rebuild the scene and some only recolour.
  for (const prompt of ['12+34=', "s = '", 'abc|', '(()', '7+8=']) {
    await box!.focus(); // Enter leaves the box (lil-gui blurs it)
    await page.keyboard.press('Control+A');
    await page.keyboard.type(prompt);
    await page.keyboard.press('Enter');
    await idle(page);
  }
  await expect(page.locator('#status')).toContainText('4 tokens'); // '7+8=' ran
  await page.waitForTimeout(300); // the last frame
  const long = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
  // At least one run chose other neurons, so the split rebuild (not only the recolour) was measured.
  expect(await page.evaluate(() => window.sparsescope.debug.builds())).toBeGreaterThan(buildsBefore);
  expect(long, `main-thread tasks over 50 ms during runs: ${long.join(', ')} ms`).toEqual([]);
  expect(errors).toEqual([]);
});
