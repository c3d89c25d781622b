// Shared helpers for the end-to-end specs: open the app, wait for its queue, collect console errors.
import { expect, type Locator, type Page } from '@playwright/test';

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

/**
 * A timing cell's time: a finite positive data-ms, within its p10–p90 where it has them, and shown as the
 * same number with its unit ("0.42 ms", "35 µs"), to the display's rounding — not just "some time > 0".
 */
export async function expectShownTime(cell: Locator): Promise<void> {
  const { ms, p10, p90, text } = await cell.evaluate((e) => {
    const d = (e as HTMLElement).dataset;
    return {
      ms: Number(d.ms),
      p10: d.p10 === undefined ? null : Number(d.p10),
      p90: d.p90 === undefined ? null : Number(d.p90),
      text: e.querySelector('.timing-ms')?.textContent ?? '',
    };
  });
  expect(Number.isFinite(ms) && ms > 0).toBe(true);
  if (p10 !== null && p90 !== null) expect(p10 <= ms && ms <= p90).toBe(true);
  const shown = /^([\d.]+) (ms|µs)$/.exec(text);
  expect(shown, `"${text}" is a time with its unit`).not.toBeNull();
  const shownMs = Number(shown![1]) / (shown![2] === 'µs' ? 1000 : 1);
  // formatMs rounds to 2 decimals below 10 ms, 1 below 100, whole ms above: within 0.6 % or 0.005 ms.
  expect(Math.abs(shownMs - ms)).toBeLessThanOrEqual(Math.max(0.0051, 0.006 * ms));
}
