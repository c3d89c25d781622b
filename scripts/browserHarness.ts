// Shared by the browser benchmarks (bench-browser.ts, bench-scene.ts): a Vite dev server on a free port
// (no HMR: an edit elsewhere in the tree must not reload the page mid-measurement) and Debian's Chromium
// with the WebGPU flags of playwright.config.ts.
import { createServer as createNetServer } from 'node:net';
import { dirname, resolve } from 'node:path';

export const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createNetServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => res(port));
    });
  });
}

/** Launch options of playwright.config.ts's "webgpu" project, headless. */
export async function chromiumLaunchOptions(): Promise<{
  executablePath?: string;
  args: string[];
  headless: true;
}> {
  const config = (await import('../playwright.config')).default;
  const project = config.projects?.find((p) => p.name === 'webgpu');
  const launch = project?.use?.launchOptions;
  if (!launch?.args) throw new Error('playwright.config.ts has no "webgpu" project with launch args');
  return { executablePath: launch.executablePath, args: launch.args, headless: true };
}

/** `url` when given (a running server), else a fresh dev server; close() stops what was started. */
export async function devServer(url?: string): Promise<{ base: string; close(): Promise<void> }> {
  if (url) return { base: url, close: async () => {} };
  const { createServer } = await import('vite');
  const port = await freePort();
  const vite = await createServer({
    root: ROOT,
    logLevel: 'warn',
    server: { host: '127.0.0.1', port, strictPort: true, open: false, hmr: false },
  });
  await vite.listen();
  const base = `http://127.0.0.1:${port}/`;
  console.error(`vite dev server on ${base}`);
  return { base, close: () => vite.close() };
}
