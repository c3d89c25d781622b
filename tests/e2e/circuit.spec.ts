// Circuit mode as a person uses it: every neuron on screen, then circuit mode on the default task. Both
// networks draw fewer edges than the full view, the scene's and the panel's counts equal the committed
// circuit files', and clicking a circuit neuron reports its one-node ablation. No console errors.
// CIRCUIT_SCREENSHOT=1 also writes docs/img/circuits.png (the README's picture).
import { expect, test } from '@playwright/test';
import { collectErrors, openApp } from './helpers';

test('circuit mode: fewer edges than the full view, counts equal to the circuit files', async ({
  page,
  request,
}) => {
  const errors = collectErrors(page);
  await openApp(page, '?neurons=256');
  const full = await page.evaluate(() => window.sparsescope.debug.counts());

  await page.getByTestId('circuit-toggle').check();
  await expect(page.getByTestId('circuit-edges-dense')).toBeVisible();
  await page.evaluate(() => window.sparsescope.debug.idle());
  const shown = await page.evaluate(() => window.sparsescope.debug.counts());
  const task = await page.getByTestId('circuit-task').inputValue();
  for (const side of ['sparse', 'dense'] as const) {
    const json = await (await request.get(`/models/tiny-pair/circuits/${side}.${task}.json`)).json();
    expect(shown[side].edges).toBeLessThan(full[side].edges);
    expect(shown[side].edges).toBe(json.edges);
    await expect(page.getByTestId(`circuit-edges-${side}`)).toHaveAttribute('data-value', String(json.edges));
    await expect(page.getByTestId(`circuit-nodes-${side}`)).toHaveAttribute(
      'data-value',
      String(json.nodeCount),
    );
  }
  await expect(page.getByTestId('circuit-headline')).toContainText('fewer edges');

  // A circuit neuron of the sparse network's first MLP: its one-node ablation.
  const sparse = await (await request.get(`/models/tiny-pair/circuits/sparse.${task}.json`)).json();
  const neuron: number = sparse.nodes['h.0.mlp.neuron'][0];
  const at = await page.evaluate((i) => window.sparsescope.debug.nodeScreen('sparse', 'b0.mlp', i), neuron);
  expect(at).not.toBeNull();
  await page.mouse.click(at!.x, at!.y);
  await expect(page.getByTestId('circuit-node')).toContainText(
    `h.0.mlp.neuron[${neuron}]: removing it alone`,
  );
  await expect(page.getByTestId('circuit-node')).toContainText('nats');
  if (process.env.CIRCUIT_SCREENSHOT === '1') {
    await page.mouse.move(5, 5);
    await page.waitForTimeout(500);
    await page.screenshot({ path: 'docs/img/circuits.png' });
  }

  await page.getByTestId('circuit-toggle').uncheck();
  await page.evaluate(() => window.sparsescope.debug.idle());
  expect(await page.evaluate(() => window.sparsescope.debug.counts())).toEqual(full);
  expect(errors).toEqual([]);
});
