// The Graph Challenge sparse DNN (30 layers × 1024 neurons, 1200 images), every path in one run,
// interleaved: scipy.sparse (scripts/dnn_scipy.py --serve, loaded once), the CPU sparse kernels — the
// WebAssembly SIMD live-images kernel (src/math/wasm/dnnWasm.ts, the default) on the main thread and on W
// worker threads (src/engine/dnnThreads.ts), the JavaScript skip-zeros kernel on the main thread (the
// fallback without WASM SIMD) — WebGPU live images only (the default) and,
// with --all-rows, WebGPU every image every layer; the dense CPU path (WASM SIMD) unless --no-dense.
//   node --import ./bin/raw-register.mjs --import tsx scripts/bench-dnn.ts [--rounds 5] [--workers W]
//        [--all-rows] [--no-dense] [--cpu-only] [--json docs/bench/dnn.json]
// Protocol: one warm-up run of each path (never reported), then `rounds` rounds with the order rotating;
// medians with p10–p90 of each path's seconds (the layers only: loading, transposing and uploading
// happen once, before). Wall time for every path; process CPU time too for the single-threaded ones
// (scipy and the main-thread kernels), because on a shared machine wall time mostly measures the load.
// Every run's categories are compared with the truth file. A benchmark, not a test: asserts nothing.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { createInterface } from 'node:readline';
import { compareSummaries, summarize } from '../src/bench/stats';
import { DnnGpuPlan } from '../src/engine/dnnGpu';
import { DnnWorkerPool } from '../src/engine/dnnThreads';
import { GpuContext } from '../src/gpu/context';
import { runDnnCpu, runSkipZerosTransposed, transposeLayers } from '../src/math/dnn';
import { runDnnWasm } from '../src/math/wasm/dnnWasm';
import {
  dnnCategories,
  dnnEdges,
  layerNumber,
  loadDnnCategories,
  loadDnnFromTexts,
  loadDnnInput,
} from '../src/model/dnn';
import { createNodeGpu } from '../src/node/dawn';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const rounds = Number(arg('rounds', '5'));
const workers = Number(arg('workers', String(os.availableParallelism())));
const dir = new URL('../../shared/data/graph-challenge-dnn/', import.meta.url);
const names = readdirSync(dir)
  .filter((n) => layerNumber(n) !== null)
  .sort((a, b) => (layerNumber(a) ?? 0) - (layerNumber(b) ?? 0));
const dnn = loadDnnFromTexts(names.map((name) => ({ name, text: readFileSync(new URL(name, dir), 'utf8') })));
const input = loadDnnInput(
  readFileSync(new URL('sparse-images-1024_subset.mtx', dir), 'utf8'),
  'images',
  dnn,
);
const truth = loadDnnCategories(
  readFileSync(new URL('neuron1024-l120-categories_subset.mtx', dir), 'utf8'),
  'truth',
);
const edges = dnnEdges(dnn, input.rows);
const width = dnn.layers[dnn.layers.length - 1].rows;

// scipy, loaded once, one inference per line
const scipy = spawn('python3', ['scripts/dnn_scipy.py', '--serve'], { stdio: ['pipe', 'pipe', 'inherit'] });
const scipyLines = createInterface({ input: scipy.stdout })[Symbol.asyncIterator]();
async function runScipy(): Promise<Sample> {
  scipy.stdin.write('run\n');
  const line = await scipyLines.next();
  const r = JSON.parse(String(line.value)) as { seconds: number; cpuSeconds: number; categories: number[] };
  return { seconds: r.seconds, cpuSeconds: r.cpuSeconds, categories: r.categories.map((c) => c - 1) };
}

interface Sample {
  seconds: number;
  cpuSeconds?: number;
  categories: number[];
}

const transposed = transposeLayers(dnn);
const bias = Math.fround(dnn.bias);
// --cpu-only: no WebGPU paths. Their runs (seconds of SwiftShader on every core, in the rotation) slowed
// every other path, scipy's process too, 1.6–3.6× on this 2-core machine (docs/benchmarks.md §9).
const ctx = process.argv.includes('--cpu-only')
  ? null
  : await GpuContext.create(await createNodeGpu(), {
      onError: (m) => console.error(`WebGPU error: ${m}`),
    });
const live = ctx && (await DnnGpuPlan.create(ctx, dnn, 'sparse', input.rows));
const allRows =
  ctx && process.argv.includes('--all-rows')
    ? await DnnGpuPlan.create(ctx, dnn, 'sparse', input.rows, { allImages: true })
    : null;
const pool = await DnnWorkerPool.create(dnn, workers, 'live-simd');

/** A single-threaded CPU path timed by its layers, with the process CPU time it took. */
function mainThread(run: () => { layerMs: number[]; y: Float32Array }): Sample {
  const c0 = process.cpuUsage();
  const { layerMs, y } = run();
  const c = process.cpuUsage(c0);
  return {
    seconds: layerMs.reduce((a, b) => a + b, 0) / 1000,
    cpuSeconds: (c.user + c.system) / 1e6,
    categories: dnnCategories(y, input.rows, width),
  };
}

const paths: Record<string, () => Promise<Sample>> = {
  'scipy.sparse (1 thread)': runScipy,
  'CPU live-simd (WASM SIMD), main thread': async () =>
    mainThread(() => runDnnWasm(dnn.layers, input, bias, dnn.ymax)),
  [`CPU live-simd (WASM SIMD), ${workers} worker threads`]: async () => pool.run(input),
  'CPU skip-zeros (JavaScript), main thread': async () =>
    mainThread(() => runSkipZerosTransposed(transposed, input, bias, dnn.ymax)),
};
if (live) paths['WebGPU live images (default)'] = async () => live.run(input);
if (allRows) paths['WebGPU every image'] = async () => allRows.run(input);
if (!process.argv.includes('--no-dense'))
  paths['CPU dense (WASM SIMD)'] = async () => runDnnCpu(dnn, input, { path: 'dense' });

const names_ = Object.keys(paths);
const samples: Record<string, Sample[]> = Object.fromEntries(names_.map((n) => [n, []]));
const loads: number[] = [os.loadavg()[0]];
for (const name of names_) await paths[name](); // warm-up
for (let r = 0; r < rounds; r++) {
  const order = names_.map((_, i) => names_[(i + r) % names_.length]);
  for (const name of order) samples[name].push(await paths[name]());
  loads.push(os.loadavg()[0]);
}
scipy.stdin.end();
await pool.close();
live?.dispose();
allRows?.dispose();
ctx?.dispose();

const scipyWall = summarize(samples[names_[0]].map((s) => s.seconds * 1000));
const scipyCpu = summarize(samples[names_[0]].map((s) => (s.cpuSeconds ?? Number.NaN) * 1000));
const fmt = (s: { medianMs: number; p10Ms: number; p90Ms: number }) =>
  `${(s.medianMs / 1000).toFixed(3)} (${(s.p10Ms / 1000).toFixed(3)}–${(s.p90Ms / 1000).toFixed(3)})`;
const ratio = (ref: ReturnType<typeof summarize>, x: ReturnType<typeof summarize>) => {
  const c = compareSummaries(ref, x);
  return c.clear ? `${c.ratio.toFixed(2)}×` : `no clear difference (${c.ratio.toFixed(2)}×)`;
};
console.log(
  `${ctx?.adapterLabel ?? 'no WebGPU (--cpu-only)'}; ${rounds} rounds; ${workers} worker threads; ${os.availableParallelism()} cores`,
);
console.log(`load average per round: ${loads.map((l) => l.toFixed(1)).join(' ')}`);
console.log(
  '| path | seconds, wall (p10–p90) | edges/s | speed vs scipy, wall | CPU s (p10–p90) | vs scipy, CPU time | categories |',
);
console.log('|---|---|---|---|---|---|---|');
const report: Record<string, unknown> = {};
for (const name of names_) {
  const wall = summarize(samples[name].map((s) => s.seconds * 1000));
  const cpuList = samples[name].map((s) => s.cpuSeconds);
  const cpu = cpuList.every((c) => c !== undefined) ? summarize(cpuList.map((c) => (c ?? 0) * 1000)) : null;
  const exact = samples[name].every((s) => JSON.stringify(s.categories) === JSON.stringify(truth));
  console.log(
    `| ${name} | ${fmt(wall)} | ${(edges / (wall.medianMs / 1000)).toExponential(2)} | ${ratio(scipyWall, wall)} | ` +
      `${cpu ? fmt(cpu) : '—'} | ${cpu ? ratio(scipyCpu, cpu) : '—'} | ${exact ? 'exact (19)' : 'MISMATCH'} |`,
  );
  report[name] = {
    wall,
    cpu,
    exact,
    samples: samples[name].map(({ seconds, cpuSeconds }) => ({ seconds, cpuSeconds })),
  };
}
const json = arg('json', '');
if (json)
  writeFileSync(
    json,
    `${JSON.stringify({ edges, workers, rounds, loads, adapter: ctx?.adapterLabel ?? null, report }, null, 1)}\n`,
  );
