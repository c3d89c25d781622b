// npm run bench:browser: the app's benchmark panel in headless Chromium, driven by its URL automation.
// Starts the Vite dev server on a free port (or reuses one given with --url), opens Debian's Chromium with
// the WebGPU flags of playwright.config.ts, loads /?bench=auto&…, waits for 'sparsescope:bench-done'
// (or '…bench-error'), writes the report JSON and prints a table. Exits non-zero on any failure.
//
//   npm run bench:browser -- --shapes 768x768 --densities 1,1/64 --batches 1,8 --samples 3
//   options: --shapes gpt2|model|NxK,…  --densities 1,1/16,…  --batches 1,8,…  --samples N
//            --backend auto|webgpu|cpu  --seed N  --naive  --out FILE (default docs/bench/browser.json)
//            --url http://host:port/ (reuse a running dev server)  --timeout SECONDS (default 900)
import { mkdirSync, writeFileSync } from 'node:fs';
import { register } from 'node:module';
import { dirname, resolve } from 'node:path';

// `*.wgsl?raw` imports outside Vite (same hooks as bin/sparsescope.mjs); must precede the imports below.
register(new URL('../bin/raw-hooks.mjs', import.meta.url));

const { chromium } = await import('@playwright/test');
const { benchTable, crossoverLines } = await import('../src/cli/bench');
const { validateReport } = await import('../src/bench/report');
const params = await import('../src/ui/bench/params');
const { chromiumLaunchOptions, devServer, ROOT } = await import('./browserHarness');

/** The panel mounts after the app's main module: if it is not there by then, the page is broken. */
const MOUNT_TIMEOUT_MS = 60_000;
const VALUE_FLAGS = ['shapes', 'densities', 'batches', 'samples', 'backend', 'seed', 'out', 'url', 'timeout'];

function parseArgs(argv: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].replace(/^--/, '');
    if (name === 'help' || name === 'h') {
      console.log(readmeOf());
      process.exit(0);
    }
    if (name === 'naive') out.set('naive', '1');
    else if (VALUE_FLAGS.includes(name) && i + 1 < argv.length) out.set(name, argv[++i]);
    else throw new Error(`unknown or incomplete option "${argv[i]}" (try --help)`);
  }
  return out;
}

function readmeOf(): string {
  return (
    'usage: npm run bench:browser -- [--shapes 768x768] [--densities 1,1/64] [--batches 1,8] [--samples 3]\n' +
    '       [--backend auto|webgpu|cpu] [--seed N] [--naive] [--out docs/bench/browser.json] [--url URL] [--timeout S]'
  );
}

/** The page's query string, checked here with the page's own parser so a typo fails before Chromium starts. */
function benchQuery(args: Map<string, string>): URLSearchParams {
  const query = new URLSearchParams({ bench: 'auto' });
  for (const name of ['shapes', 'densities', 'batches', 'samples', 'backend', 'seed', 'naive']) {
    const v = args.get(name);
    if (v !== undefined) query.set(name, v);
  }
  const settings = params.settingsFromParams(query);
  if (settings.shapes.trim() !== 'model') params.toSweepConfig(settings);
  return params.settingsToParams(settings, 'auto');
}

type Outcome = { ok: true; report: unknown } | { ok: false; message: string };

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const query = benchQuery(args);
  const out = resolve(ROOT, args.get('out') ?? 'docs/bench/browser.json');
  const timeoutMs = 1000 * Number(args.get('timeout') ?? 900);

  const server = await devServer(args.get('url'));
  const url = new URL(`?${query}`, server.base).href;
  const browser = await chromium.launch(await chromiumLaunchOptions());
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('console', (m) => m.type() === 'error' && console.error(`[page error] ${m.text()}`));
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => {
      pageErrors.push(e.message);
      console.error(`[page exception] ${e.message}`);
    });
    page.on('framenavigated', (f) => f === page.mainFrame() && console.error(`[navigated] ${f.url()}`));
    // Listen before any page script runs: the events may fire at any time after load.
    await page.addInitScript(() => {
      const w = window as unknown as { __benchOutcome?: unknown };
      window.addEventListener('sparsescope:bench-done', (e) => {
        w.__benchOutcome = { ok: true, report: (e as CustomEvent).detail };
      });
      window.addEventListener('sparsescope:bench-error', (e) => {
        w.__benchOutcome = { ok: false, message: (e as CustomEvent<{ message: string }>).detail.message };
      });
    });
    console.error(`opening ${url}`);
    await page.goto(url);
    const started = Date.now();
    const deadline = started + timeoutMs;
    let lastProgress = '';
    let outcome: Outcome | null = null;
    while (!outcome) {
      if (Date.now() > deadline) throw new Error(`no result after ${timeoutMs / 1000} s (raise --timeout)`);
      await page.waitForTimeout(500);
      const state = await page.evaluate(() => ({
        outcome: (window as unknown as { __benchOutcome?: Outcome }).__benchOutcome ?? null,
        mounted: document.querySelector('.bench-overlay') !== null,
        progress: document.querySelector('.bench-progress-text')?.textContent ?? '',
      }));
      outcome = state.outcome;
      if (!state.mounted && Date.now() - started > MOUNT_TIMEOUT_MS) {
        throw new Error(
          `the benchmark panel did not appear within ${MOUNT_TIMEOUT_MS / 1000} s` +
            (pageErrors.length ? ` (page errors: ${pageErrors.join('; ')})` : ''),
        );
      }
      const progress = state.progress;
      if (progress && progress !== lastProgress) {
        const elapsed = ((Date.now() - started) / 1000).toFixed(1);
        process.stderr.write(`\r[${elapsed} s] ${progress.slice(0, 100).padEnd(100)}`);
        lastProgress = progress;
      }
    }
    process.stderr.write('\n');
    if (!outcome.ok) throw new Error(`the page reported: ${outcome.message}`);
    const report = validateReport(outcome.report);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(report, null, 1)}\n`);
    const env = report.environment as typeof report.environment & {
      compile?: { denseMs: number; sparseMs: number };
    };
    console.log(`browser: ${env.runtime}`);
    console.log(
      `adapter: ${env.adapter}; timer ${env.timer}` +
        (env.copyGbps ? `; copy bandwidth ${env.copyGbps.toFixed(1)} GB/s` : '') +
        (env.compile
          ? `; compile dense ${Math.round(env.compile.denseMs)} ms, CSR ${Math.round(env.compile.sparseMs)} ms`
          : ''),
    );
    console.log(benchTable(report.records));
    for (const line of crossoverLines(report.records)) console.log(line);
    console.log(`wrote ${report.records.length} records to ${out}`);
    return 0;
  } finally {
    await browser.close();
    await server.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`bench:browser: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
