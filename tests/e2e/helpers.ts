// Shared helpers for the end-to-end specs: open the app, wait for its queue, collect console errors.
import { expect, type Page } from '@playwright/test';

export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

export async function openApp(page: Page, query = ''): Promise<void> {
  await page.goto(`/${query}`);
  await page.waitForFunction(() => window.sparsescope !== undefined);
  await page.evaluate(() => window.sparsescope.ready);
  await idle(page);
}

/** Wait for every queued load and run to finish. */
export async function idle(page: Page): Promise<void> {
  await page.evaluate(() => window.sparsescope.debug.idle());
}

/** Set the prompt box as a person would: type, then press Enter. */
export async function setPrompt(page: Page, text: string): Promise<void> {
  const box = page.getByRole('textbox', { name: 'prompt' });
  await box.fill(text);
  await box.press('Enter');
  await idle(page);
}

/** Click the displayed neuron of `layerId` on `side` that has the most incoming edges; return its index. */
export async function clickNeuron(page: Page, side: 'sparse' | 'dense', layerId: string): Promise<number> {
  const index = await page.evaluate(({ id }) => window.sparsescope.debug.displayed(id)[0], { id: layerId });
  const at = await page.evaluate(({ s, id, i }) => window.sparsescope.debug.nodeScreen(s, id, i), {
    s: side,
    id: layerId,
    i: index,
  });
  expect(at).not.toBeNull();
  await page.mouse.click(at!.x, at!.y);
  return index;
}

/** The camera once orbit damping has stopped moving it (frames are slow on a software rasterizer). */
export async function cameraAtRest(page: Page): Promise<number[]> {
  let previous: number[] = [];
  for (let i = 0; i < 60; i++) {
    const now = await page.evaluate(() => window.sparsescope.debug.camera());
    if (JSON.stringify(now) === JSON.stringify(previous)) return now;
    previous = now;
    await page.waitForTimeout(500);
  }
  throw new Error('the camera never came to rest');
}
