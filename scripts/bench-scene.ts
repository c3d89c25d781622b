// npm run bench:scene: frame times of the 3D scene while the camera orbits, in headless Chromium.
// For each scene (the default one, and one with over 100,000 edges) it orbits the camera one degree per
// animation frame through the scene's own frame path (window.sparsescope.debug.benchOrbit):
//   moving: as a drag draws it, with the adaptive edge budget (after a warm-up orbit that lets it settle);
//   full:   every edge on every frame (what a still view shows).
// Every orbit starts from the default view and turns one degree a frame.
// It also times an empty page with only a cleared full-window WebGL canvas: the browser's own floor on
// this machine. Then the longest main-thread task while five runs are shown on the CPU backend (a number,
// no longer an e2e assertion). Writes docs/bench/scene.json (or --out) and prints a Markdown table.
//
//   npm run bench:scene -- [--frames 90] [--out docs/bench/scene.json] [--url http://127.0.0.1:5173/]
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';

const { chromium } = await import('@playwright/test');
const { chromiumLaunchOptions, devServer, ROOT } = await import('./browserHarness');

type Page = Awaited<ReturnType<Awaited<ReturnType<typeof chromium.launch>>['newPage']>>;

interface Orbit {
  median: number;
  p90: number;
  count: number;
  renderMedian: number;
  edgesPerNetwork: number;
}

const SCENES = [
  { name: 'default (trained pair)', query: '' },
  { name: '≥100k edges (tiny GPT-2, 160 neurons a layer)', query: '?model=tiny&neurons=160' },
];
const VIEWPORT = { width: 1280, height: 800 };

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

async function bareCanvas(page: Page, frames: number): Promise<{ median: number; p90: number }> {
  await page.setContent(
    '<body style="margin:0"><canvas id="c" style="width:100vw;height:100vh;display:block"></canvas></body>',
  );
  return page.evaluate(async (n) => {
    const canvas = document.getElementById('c') as HTMLCanvasElement;
    canvas.width = innerWidth * devicePixelRatio;
    canvas.height = innerHeight * devicePixelRatio;
    const gl = canvas.getContext('webgl2');
    if (!gl) throw new Error('no WebGL2');
    const intervals: number[] = [];
    let last = 0;
    for (let i = 0; i < n; i++) {
      await new Promise<void>((done) =>
        requestAnimationFrame(() => {
          gl.clearColor(i % 2, 0, 0, 1);
          gl.clear(gl.COLOR_BUFFER_BIT);
          const now = performance.now();
          if (last) intervals.push(now - last);
          last = now;
          done();
        }),
      );
    }
    intervals.sort((a, b) => a - b);
    return { median: intervals[intervals.length >> 1], p90: intervals[Math.floor(0.9 * intervals.length)] };
  }, frames);
}

/**
 * The longest main-thread task while runs are shown (the Long Tasks API reports tasks of 50 ms and more):
 * the default view on the CPU backend, five prompts in a row, as the old e2e check did — a number here,
 * not a pass/fail in the tests (a busy machine makes it longer).
 */
async function longestTask(page: Page, base: string): Promise<{ longestMs: number; over50: number[] }> {
  await page.goto(new URL('?backend=cpu', base).href);
  await page.waitForFunction(() => window.sparsescope !== undefined);
  await page.evaluate(() => window.sparsescope.ready);
  await page.evaluate(() => window.sparsescope.debug.idle());
  await page.evaluate(() => {
    const w = window as unknown as { longTasks: number[] };
    w.longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.longTasks.push(Math.round(e.duration));
    }).observe({ type: 'longtask' });
  });
  const box = await page.getByRole('textbox', { name: 'prompt' }).elementHandle();
  for (const prompt of ['12+34=', "s = '", 'abc|', '(()', '7+8=']) {
    await box!.focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.type(prompt);
    await page.keyboard.press('Enter');
    await page.evaluate(() => window.sparsescope.debug.idle());
  }
  await page.waitForTimeout(300);
  const over50 = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
  return { longestMs: Math.max(0, ...over50), over50 };
}

async function main(): Promise<void> {
  const frames = Number(option('frames', '90'));
  const out = resolve(ROOT, option('out', 'docs/bench/scene.json'));
  const server = await devServer(process.argv.includes('--url') ? option('url', '') : undefined);
  const browser = await chromium.launch(await chromiumLaunchOptions());
  try {
    const page = await browser.newPage({ viewport: VIEWPORT });
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    const floor = await bareCanvas(page, frames);
    const scenes = [];
    for (const scene of SCENES) {
      await page.goto(new URL(scene.query, server.base).href);
      await page.waitForFunction(() => window.sparsescope !== undefined);
      await page.evaluate(() => window.sparsescope.ready);
      await page.evaluate(() => window.sparsescope.debug.idle());
      await page.waitForTimeout(500);
      const counts = await page.evaluate(() => window.sparsescope.debug.counts());
      // Each measurement starts from the default view ('r'), so every one sweeps the same angles.
      const orbit = async (n: number, detail: 'moving' | 'full'): Promise<Orbit> => {
        await page.keyboard.press('r');
        await page.waitForTimeout(300);
        return page.evaluate(([f, d]) => window.sparsescope.debug.benchOrbit(f, d), [n, detail] as const);
      };
      await orbit(30, 'moving'); // warm-up: the edge budget adapts to this machine
      const moving: Orbit = await orbit(frames, 'moving');
      const full: Orbit = await orbit(Math.min(frames, 30), 'full');
      const edges = counts.sparse.edges + counts.dense.edges;
      scenes.push({ ...scene, edges, nodes: counts.sparse.nodes + counts.dense.nodes, moving, full });
      console.error(
        `${scene.name}: ${edges} edges, moving ${moving.median.toFixed(1)} ms, full ${full.median.toFixed(1)} ms`,
      );
    }
    const tasks = await longestTask(page, server.base);
    console.error(`runs on the CPU backend: main-thread tasks ≥ 50 ms: [${tasks.over50.join(', ')}]`);
    if (errors.length) throw new Error(`console errors: ${errors.join('; ')}`);
    const env = await page.evaluate(() => {
      const gl = document.createElement('canvas').getContext('webgl2');
      const info = gl?.getExtension('WEBGL_debug_renderer_info');
      return {
        userAgent: navigator.userAgent,
        webgl: gl && info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : 'unknown',
        devicePixelRatio,
      };
    });
    const report = {
      schema: 'sparsescope-scene-bench/1',
      date: new Date().toISOString(),
      environment: { ...env, viewport: VIEWPORT, cpus: cpus().length, loadAverage1m: loadavg()[0] },
      frames,
      bareCanvas: floor,
      scenes,
      longTasksDuringRuns: tasks,
    };
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(report, null, 1)}\n`);
    const ms = (v: number) => v.toFixed(1);
    console.log(`WebGL: ${env.webgl}; ${VIEWPORT.width}×${VIEWPORT.height} @${env.devicePixelRatio}x`);
    console.log(
      '| scene | edges | moving: edges/network | moving median (p90) | moving render | full median (p90) | full render |',
    );
    console.log('|---|---:|---:|---:|---:|---:|---:|');
    console.log(
      `| empty WebGL canvas (floor) | 0 | – | ${ms(floor.median)} (${ms(floor.p90)}) | – | – | – |`,
    );
    for (const s of scenes) {
      console.log(
        `| ${s.name} | ${s.edges.toLocaleString('en-US')} | ${s.moving.edgesPerNetwork?.toLocaleString('en-US') ?? '–'} | ` +
          `${ms(s.moving.median)} (${ms(s.moving.p90)}) | ${ms(s.moving.renderMedian)} | ` +
          `${ms(s.full.median)} (${ms(s.full.p90)}) | ${ms(s.full.renderMedian)} |`,
      );
    }
    console.log(
      `Longest main-thread task while five runs were shown (CPU backend): ${tasks.longestMs ? `${tasks.longestMs} ms` : 'none of 50 ms or more'}`,
    );
    console.log(`wrote ${out}`);
  } finally {
    await browser.close();
    await server.close();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`bench:scene: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
