// Without WebGPU (Chromium launched without --enable-unsafe-webgpu): every feature works on the CPU, and
// the app says it is on the CPU and why — scene, overlays, inspector, a prompt, a tiny benchmark.
import { writeFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { presetConfig } from '../../src/model/config';
import { initGpt2 } from '../../src/model/init';
import { sparsifyModel } from '../../src/model/sparsify';
import { hfConfigJson, toHfSafetensors } from '../../src/train/checkpoint';
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
  // Every entry is a median over ≥ 5 warmed-up interleaved samples, with its spread.
  for (const t of timings) {
    expect(t.samples, `${t.path} ${t.layer}:${t.op}`).toBeGreaterThanOrEqual(5);
    expect(t.p10!).toBeLessThanOrEqual(t.ms);
    expect(t.p90!).toBeGreaterThanOrEqual(t.ms);
  }
  await expect(timed.first()).toHaveAttribute('title', /median .*p10–p90 .*runs/);

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
// while a run is shown. What is checked is the structure (a worker per path, every rebuild split into its
// steps), not how long a task took: a busy machine must not turn this red. The longest main-thread task is
// a number for `npm run bench:scene`.
test('runs compute in the workers and rebuild the scene in steps', async ({ page }) => {
  const errors = collectErrors(page);
  await openApp(page);
  const workers = page.workers().map((w) => w.url());
  expect(workers.filter((url) => url.includes('cpuWorker')).length, workers.join(', ')).toBe(2);
  const before = await page.evaluate(() => ({
    builds: window.sparsescope.debug.builds(),
    splits: window.sparsescope.debug.taskSplits(),
  }));
  const box = page.getByRole('textbox', { name: 'prompt' });
  // Different prompts light up different neurons, so some runs rebuild the scene and some only recolour.
  for (const prompt of ['12+34=', "s = '", 'abc|', '(()', '7+8=']) {
    await box.fill(prompt);
    await box.press('Enter');
    await idle(page);
  }
  await expect(page.locator('#status')).toContainText('4 tokens'); // '7+8=' ran
  const after = await page.evaluate(() => ({
    builds: window.sparsescope.debug.builds(),
    splits: window.sparsescope.debug.taskSplits(),
  }));
  const rebuilds = after.builds - before.builds;
  expect(rebuilds).toBeGreaterThan(0); // at least one run chose other neurons: a full rebuild ran
  // Each full rebuild yields to the page between its six steps (order, per network layout and GPU objects).
  expect(after.splits - before.splits).toBeGreaterThanOrEqual(6 * rebuilds);
  // The headline came from the measurement protocol: warmed up, ≥ 5 interleaved samples per path.
  await expect(page.locator('.headline')).toHaveAttribute('data-state', 'done');
  expect(Number(await page.locator('.headline-source').getAttribute('data-samples'))).toBeGreaterThanOrEqual(
    5,
  );
  await expect(page.locator('.headline-startup')).toContainText('start-up (first run, not counted)');
  expect(errors).toEqual([]);
});

// A checkpoint that stores its zeros (1/16 of the block weights, written here) keeps them when opened: the
// density control shows the stored density and the sparse network is exactly that pattern.
test('an opened stored-sparse checkpoint keeps its own sparsity', async ({ page }, testInfo) => {
  const errors = collectErrors(page);
  const config = presetConfig('tiny');
  const pruned = sparsifyModel(initGpt2(config, { seed: 3 }), { density: 1 / 16, minPerNeuron: 0 });
  const model = testInfo.outputPath('model.safetensors');
  const configJson = testInfo.outputPath('config.json');
  writeFileSync(model, toHfSafetensors(pruned));
  writeFileSync(configJson, JSON.stringify(hfConfigJson(config)));
  await openApp(page);
  await page.locator('input[type="file"][accept*="safetensors"]').setInputFiles([model, configJson]);
  await expect(page.locator('.net-fraction')).toHaveText('(1/16 of weights)');
  await idle(page);
  const density = page.getByRole('combobox', { name: 'density' });
  await expect(density).toHaveValue('stored 1/16'); // lil-gui's option values are their labels
  // Asking for a lower density prunes further.
  await density.selectOption({ label: '1/64' });
  await expect(page.locator('.net-fraction')).not.toHaveText('(1/16 of weights)');
  await idle(page);
  expect(errors).toEqual([]);
});
