// npm run bench:reloads: how stable the default view's headline is. Loads the app N times in a row on each
// backend (the CPU backend via ?backend=cpu, and WebGPU — SwiftShader on a machine without a GPU) in
// headless Chromium, and prints each load's headline: the median totals of both paths with their p10–p90,
// the samples per path, the ratio, the verdict, and the start-up (first run) cost kept apart.
// With --screenshot DIR it saves the last load of each backend as a PNG.
//
//   npm run bench:reloads -- [--loads 3] [--url http://127.0.0.1:5173/] [--screenshot /tmp/shots]
import { cpus, loadavg } from 'node:os';

const { chromium } = await import('@playwright/test');
const { chromiumLaunchOptions, devServer } = await import('./browserHarness');

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

interface Load {
  backend: string;
  dense: { ms: number; p10: number; p90: number; samples: number };
  sparse: { ms: number; p10: number; p90: number; samples: number };
  warmupMs: Record<string, number>;
  verdict: string;
  source: string;
}

const fmt = (v: number) => (v < 10 ? v.toFixed(2) : v.toFixed(1));

async function main(): Promise<void> {
  const loads = Number(option('loads', '3'));
  const shots = option('screenshot', '');
  const server = await devServer(process.argv.includes('--url') ? option('url', '') : undefined);
  const browser = await chromium.launch(await chromiumLaunchOptions());
  const rows: Load[] = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    for (const [backend, query] of [
      ['cpu', '?backend=cpu'],
      ['webgpu', ''],
    ] as const) {
      for (let i = 0; i < loads; i++) {
        await page.goto(new URL(query, server.base).href);
        await page.waitForFunction(() => window.sparsescope !== undefined);
        await page.evaluate(() => window.sparsescope.ready);
        await page.evaluate(() => window.sparsescope.debug.idle());
        const load = await page.evaluate(() => {
          const m = window.sparsescope.last?.scene.measure;
          if (!m?.total.dense || !m.total.sparse) throw new Error('the run has no measurement');
          return {
            backend: window.sparsescope.backend.kind,
            dense: m.total.dense,
            sparse: m.total.sparse,
            warmupMs: m.warmupMs as Record<string, number>,
            verdict: document.querySelector('.headline-speedup')?.textContent?.trim() ?? '',
            source: document.querySelector('.headline-source')?.textContent?.trim() ?? '',
          };
        });
        rows.push(load);
        console.error(`${backend} load ${i + 1}: ${JSON.stringify(load)}`);
      }
      if (shots) await page.screenshot({ path: `${shots}/reload-${backend}.png` });
    }
    if (errors.length) throw new Error(`console errors: ${errors.join('; ')}`);
  } finally {
    await browser.close();
    await server.close();
  }
  console.log(`${cpus().length} cores, load average ${loadavg()[0].toFixed(2)} (1 min)`);
  console.log(
    '| backend | load | sparse median (p10–p90), ms | dense median (p10–p90), ms | samples/path | dense/sparse | headline | start-up dense / sparse, ms |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  rows.forEach((r, i) => {
    const s = (x: Load['dense']) => `${fmt(x.ms)} (${fmt(x.p10)}–${fmt(x.p90)})`;
    console.log(
      `| ${r.backend} | ${(i % loads) + 1} | ${s(r.sparse)} | ${s(r.dense)} | ${Math.min(r.dense.samples, r.sparse.samples)} | ${(r.dense.ms / r.sparse.ms).toFixed(2)} | ${r.verdict} | ${fmt(r.warmupMs.dense)} / ${fmt(r.warmupMs.sparse)} |`,
    );
  });
  for (const backend of new Set(rows.map((r) => r.backend))) {
    const of = rows.filter((r) => r.backend === backend);
    for (const path of ['sparse', 'dense'] as const) {
      const ms = of.map((r) => r[path].ms);
      const spreadPct = (100 * (Math.max(...ms) - Math.min(...ms))) / Math.min(...ms);
      console.log(
        `${backend} ${path}: medians over ${of.length} loads differ by ${spreadPct.toFixed(0)} % (max/min − 1)`,
      );
    }
  }
}

await main();
