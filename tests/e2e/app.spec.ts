// The default app as a new user meets it: the trained pair, both models' predictions, examples that run
// with one click, measured per-layer timings on WebGPU, no console errors.
import { expect, test } from '@playwright/test';
import { collectErrors, idle, openApp, setPrompt } from './helpers';

test('opens on the trained pair, predicts the task, and an example runs in one click', async ({ page }) => {
  const errors = collectErrors(page);
  await openApp(page);
  await expect(page.locator('.status-backend')).toContainText('WebGPU');
  await expect(page.locator('.net-title[data-side="sparse"] .net-name')).toContainText(
    'Sparse, trained (1/32 of weights)',
  );
  await expect(page.locator('.headline-source')).toContainText('GPU timestamps');

  // Default prompt "p = set() … p": both models should continue with ".add(".
  const predictions = page.locator('#predictions');
  await expect(predictions.locator('.pred-dense .pred-token').first()).toHaveText('.');
  await expect(predictions.locator('.pred-sparse .pred-token').first()).toHaveText('.');
  await expect(predictions.locator('.pred-table tr')).toHaveCount(4); // header + 3 tasks
  await expect(predictions.locator('.pred-example')).toHaveCount(6);

  // The string example: the answer is a quote of the kind that opened it.
  const example = predictions.locator('.pred-example').first();
  const answer = (await example.locator('.pred-ex-answer').textContent())!;
  await example.click();
  await idle(page);
  await expect(predictions.locator('.pred-dense .pred-token').first()).toHaveText(answer);
  await expect(predictions.locator('.pred-sparse .pred-token').first()).toHaveText(answer);

  // Timings: both paths, every block, from the GPU timer.
  const timings = await page.evaluate(() => window.sparsescope.timings);
  for (const path of ['dense', 'sparse']) {
    for (const layer of [0, 1]) {
      for (const op of ['attn', 'mlp']) {
        const t = timings.find((x) => x.path === path && x.layer === layer && x.op === op);
        expect(t, `${path} ${layer} ${op}`).toBeDefined();
        expect(t!.source).toBe('gpu-timestamp');
      }
    }
  }

  // A prompt typed by hand (with a newline escape) runs too, and the token slider follows its length.
  await setPrompt(page, "x = '");
  await expect(page.locator('#status')).toContainText('5 tokens');
  await page.screenshot({ path: 'test-results/app-default.png' });
  expect(errors).toEqual([]);
});

test('a model that is not there gives a clear message and the app keeps working', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/?model=no-such-model');
  await page.waitForFunction(() => window.sparsescope !== undefined);
  await idle(page);
  await expect(page.locator('#app-error')).toContainText('unknown model "no-such-model"');
  // Pick a real one from the panel: the app recovers.
  await page.getByRole('combobox', { name: 'model' }).selectOption({ label: 'tiny GPT-2, synthetic' });
  await idle(page);
  await expect(page.locator('#app-error')).toBeHidden();
  expect((await page.evaluate(() => window.sparsescope.debug.counts())).sparse.edges).toBeGreaterThan(0);
  expect(errors).toEqual([]);
});

test('switching from the layered network back to a language model restores a prompt', async ({ page }) => {
  const errors = collectErrors(page);
  await openApp(page, '?model=graph-challenge-dnn&prompt=287-295');
  await expect(page.locator('#status')).toContainText('287, 295');
  await page.getByRole('combobox', { name: 'model' }).selectOption({ label: 'tiny pair, trained (default)' });
  await idle(page);
  await expect(page.getByRole('textbox', { name: 'prompt' })).toHaveValue(/set\(\)/);
  await expect(page.locator('.pred-sparse .pred-token').first()).toHaveText('.');
  expect(errors).toEqual([]);
});
