// The built site (`vite build` with a relative base) served by `vite preview` from a sub-path, under its
// Content-Security-Policy: the default model and the Graph Challenge example load from inside the build,
// nothing violates the policy, and an injected inline script is refused.
import { expect, type Page, test } from '@playwright/test';
import { collectErrors } from './helpers';

async function open(page: Page, query = ''): Promise<void> {
  await page.goto(`./${query}`); // relative to the sub-path baseURL
  await page.waitForFunction(() => window.sparsescope !== undefined);
  await page.evaluate(() => window.sparsescope.ready);
  await page.evaluate(() => window.sparsescope.debug.idle());
}

test('the default model runs from a sub-path, under the CSP, with no violation', async ({ page }) => {
  const errors = collectErrors(page);
  const requests: string[] = [];
  page.on('request', (r) => requests.push(new URL(r.url()).pathname));
  await open(page);
  expect(new URL(page.url()).pathname).toBe('/deep/sub/path/');
  expect((await page.evaluate(() => window.sparsescope.debug.counts())).sparse.edges).toBeGreaterThan(0);
  await expect(page.locator('.pred-sparse .pred-token').first()).toBeVisible();
  // Everything came from under the sub-path (a root-relative URL would have escaped it).
  expect(requests.filter((p) => !p.startsWith('/deep/sub/path/'))).toEqual([]);
  const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
  expect(csp).not.toContain('unsafe-eval;');
  expect(errors).toEqual([]);

  // The policy is in force: an inline script injected into the page does not run.
  const ran = await page.evaluate(async () => {
    const violation = new Promise<string>((resolve) =>
      document.addEventListener('securitypolicyviolation', (e) => resolve(e.effectiveDirective), {
        once: true,
      }),
    );
    const s = document.createElement('script');
    s.textContent = 'window.__inlineRan = true';
    document.head.append(s);
    return {
      ran: (window as unknown as { __inlineRan?: boolean }).__inlineRan === true,
      directive: await violation,
    };
  });
  expect(ran).toEqual({ ran: false, directive: 'script-src-elem' });
});

test('the Graph Challenge example is inside the build', async ({ page }) => {
  const errors = collectErrors(page);
  await open(page, '?model=graph-challenge-dnn&input=287-295');
  await expect(page.locator('#status')).toContainText('287, 295');
  await expect(page.locator('#app-error')).toBeHidden();
  expect(errors).toEqual([]);
});
