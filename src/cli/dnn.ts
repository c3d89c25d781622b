// `sparsescope dnn`: Graph Challenge sparse DNN inference from a directory of Matrix Market layers.
// Prints the categories (1-based images), a per-layer timing table, total seconds and edges/s
// (nImages · Σ nnz(Wₗ) / seconds); --json writes them; --truth compares and exits 1 on a mismatch.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, join } from 'node:path';
import type { LayerTiming } from '../contracts';
import { measurePaths } from '../engine/measure';
import { GpuErrorScope } from '../gpu/limits';
import { type DnnResult, resolveDnnKernel, runDnnCpu } from '../math/dnn';
import {
  dnnEdges,
  layerNumber,
  loadDnnCategories,
  loadDnnFromTexts,
  loadDnnInput,
  type SparseDnn,
  selectImages,
} from '../model/dnn';
import { dnnTimings } from '../model/graphDnn';
import { checkFinite } from '../params/finite';
import { LIMITS } from '../params/limits';
import { choiceFlag, numberFlag, type ParsedArgs, stringFlag, UsageError } from './args';
import { type FlagTable, flag, strictFlags } from './flags';
import { openBackend } from './gpu';
import { spreadCell } from './measureFlags';

export const DNN_USAGE = `usage: sparsescope dnn --layers DIR --input IMAGES.mtx [options]
  --nlayers L            use layers 1..L (default: every layer file in DIR, which must be consecutive)
  --bias B               bias on every neuron (default -0.3)     --ymax Y   ReLU clamp (default 32)
  --backend webgpu|cpu   default webgpu (falls back to the CPU with a message)
  --path sparse|dense    CSR weights, or the same weights stored densely (default sparse)
  --cpu-kernel live-simd|skip-zeros|spmm   CPU sparse kernel: WebAssembly SIMD over the live images,
                         8 at a time (default; skip-zeros where WASM SIMD is missing), JavaScript scatter
                         of only the live activations, or spmmFast over every image and every nonzero
                         (the GPU kernel's work)
  --workers W            live-simd and skip-zeros: split the images over W worker threads (default: the
                         machine's cores, os.availableParallelism(); 1 runs on the main thread)
  --gpu-kernel live-rows|all-rows   WebGPU sparse kernel: only the images still alive, compacted on the
                         GPU after each layer (default; exact for bias ≤ 0), or every image every layer
  --images N --first I   run images I..I+N-1 (1-based; default all) — the dense paths are slow
  --repeat R             R timed runs after an untimed warm-up run; medians with p10–p90 (default 3 sparse, 1 dense)
  --truth CATS.mtx       compare the categories, exit 1 on a mismatch
  --json OUT.json        write {categories, seconds, edgesPerSecond, layers, ...}`;

/** Layer files of DIR in layer order (l2 before l10), the first `nlayers` of them if given. */
async function layerPaths(dir: string, nlayers: number | undefined): Promise<string[]> {
  const names = (await readdir(dir)).filter((n) => layerNumber(n) !== null);
  names.sort((a, b) => (layerNumber(a) ?? 0) - (layerNumber(b) ?? 0));
  if (names.length === 0) throw new UsageError(`--layers ${dir}: no layer files (names like n1024-l1.mtx)`);
  if (nlayers !== undefined) {
    if (!Number.isInteger(nlayers) || nlayers < 1)
      throw new UsageError('--nlayers must be a positive integer');
    if (nlayers > names.length) {
      throw new UsageError(`--nlayers ${nlayers}: ${dir} has only ${names.length} layer files`);
    }
    return names.slice(0, nlayers).map((n) => join(dir, n));
  }
  return names.map((n) => join(dir, n));
}

async function loadNetwork(dir: string, nlayers: number | undefined, bias: number, ymax: number) {
  const paths = await layerPaths(dir, nlayers);
  const files = await Promise.all(
    paths.map(async (p) => ({ name: basename(p), text: await readFile(p, 'utf8') })),
  );
  return loadDnnFromTexts(files, { bias, ymax });
}

interface Run extends DnnResult {
  timerSource: 'wall' | 'gpu-timestamp';
}

/** Every flag `dnn` takes (see DNN_USAGE). */
const DNN_FLAGS = {
  help: flag.bool('this help'),
  layers: flag.text(),
  input: flag.text(),
  nlayers: flag.int(1, 1 << 20),
  bias: flag.number(),
  ymax: flag.number(),
  backend: flag.backend(),
  path: flag.choice(['sparse', 'dense']),
  'cpu-kernel': flag.choice(['live-simd', 'skip-zeros', 'spmm']),
  'gpu-kernel': flag.choice(['live-rows', 'all-rows']),
  workers: flag.int(1, 256),
  images: flag.int(1, LIMITS.matrixSide),
  first: flag.int(1, LIMITS.matrixSide),
  repeat: flag.int(1, LIMITS.runs),
  truth: flag.text(),
  json: flag.text(),
} satisfies FlagTable;

export async function dnnCommand(rawArgs: ParsedArgs): Promise<number> {
  const args = strictFlags(rawArgs, DNN_FLAGS);
  if (args.flags.has('help')) {
    console.log(DNN_USAGE);
    return 0;
  }
  const dir = stringFlag(args, 'layers');
  const inputPath = stringFlag(args, 'input');
  if (!dir || !inputPath) throw new UsageError(`--layers and --input are required\n${DNN_USAGE}`);
  const nlayersFlag = stringFlag(args, 'nlayers');
  const nlayers = nlayersFlag === undefined ? undefined : numberFlag(args, 'nlayers', 0);
  const bias = numberFlag(args, 'bias', -0.3);
  const ymax = numberFlag(args, 'ymax', 32);
  if (!(ymax > 0)) throw new UsageError(`--ymax must be above 0 (the ReLU clamp), got ${ymax}`);
  const path = choiceFlag(args, 'path', ['sparse', 'dense'] as const, 'sparse');
  const cpuKernel = resolveDnnKernel(
    choiceFlag(args, 'cpu-kernel', ['live-simd', 'skip-zeros', 'spmm'] as const, 'live-simd'),
  );
  const gpuKernel = choiceFlag(args, 'gpu-kernel', ['live-rows', 'all-rows'] as const, 'live-rows');
  let workers = numberFlag(args, 'workers', availableParallelism());
  if (!Number.isInteger(workers) || workers < 1) throw new UsageError('--workers must be a positive integer');
  const repeat = numberFlag(args, 'repeat', path === 'dense' ? 1 : 3);
  if (!Number.isInteger(repeat) || repeat < 1) throw new UsageError('--repeat must be a positive integer');
  const requested = choiceFlag(args, 'backend', ['webgpu', 'cpu'] as const, 'webgpu');

  const tLoad = performance.now();
  const dnn = await loadNetwork(dir, nlayers, bias, ymax);
  const allImages = loadDnnInput(await readFile(inputPath, 'utf8'), basename(inputPath), dnn);
  const first = numberFlag(args, 'first', 1) - 1;
  if (first >= allImages.rows) {
    throw new UsageError(`--first ${first + 1}: ${basename(inputPath)} has only ${allImages.rows} images`);
  }
  const count = numberFlag(args, 'images', allImages.rows - first);
  const input = first === 0 && count === allImages.rows ? allImages : selectImages(allImages, first, count);
  const loadSeconds = (performance.now() - tLoad) / 1000;

  const backend = await openBackend(requested);
  // The measurement protocol (engine/measure.ts): one warm-up run (start-up, not counted), then R runs.
  const runs: Run[] = [];
  let runOnce: () => Promise<Run>;
  let release: () => Promise<void> | void = () => {};
  let gpuHow: string = path;
  if (backend.kind === 'webgpu') {
    const { DnnGpuPlan } = await import('../engine/dnnGpu');
    // Inside error scopes: a buffer the device refuses or any validation error fails the command.
    // The scopes are popped on every path: a GPU error then wins over the error it caused (a throw
    // from a run is closed by `release`, called in the finally below).
    const scope = GpuErrorScope.open(backend.ctx.device);
    const what = `dnn (${path} path)`;
    let plan: Awaited<ReturnType<typeof DnnGpuPlan.create>>;
    try {
      plan = await DnnGpuPlan.create(backend.ctx, dnn, path, input.rows, {
        allImages: gpuKernel === 'all-rows',
      }); // weights uploaded once
    } catch (err) {
      await scope.close(what);
      throw err;
    }
    gpuHow = `${path}${path === 'sparse' ? `, ${plan.sparseKernel} kernel` : ''}`;
    runOnce = () => plan.run(input);
    release = async () => {
      try {
        plan.dispose();
      } finally {
        await scope.close(what);
      }
    };
  } else if (path === 'sparse' && cpuKernel !== 'spmm' && workers > 1) {
    const pool = await startWorkerPool(dnn, workers, cpuKernel); // network sent once per worker
    if (pool) {
      runOnce = async () => ({ ...(await pool.run(input)), timerSource: 'wall' });
      release = () => pool.close();
    } else {
      workers = 1;
      runOnce = async () => ({
        ...runDnnCpu(dnn, input, { path, sparseKernel: cpuKernel }),
        timerSource: 'wall',
      });
    }
  } else {
    runOnce = async () => ({
      ...runDnnCpu(dnn, input, { path, sparseKernel: cpuKernel }),
      timerSource: 'wall',
    });
  }
  let measured: Awaited<ReturnType<typeof measurePaths<Run & { timings: LayerTiming[] }>>>;
  try {
    measured = await measurePaths(
      [path],
      async (p) => {
        const r = await runOnce();
        runs.push(r);
        return { ...r, timings: dnnTimings(r.layerMs, p, r.timerSource) };
      },
      // A run's time is its own wall time (the worker pool's layers overlap, so their sum is not it).
      {
        minSamples: repeat,
        maxSamples: repeat,
        floorSamples: repeat,
        budgetMs: 0,
        total: (_t, _p, r) => 1000 * r.seconds,
      },
    );
  } finally {
    await release();
  }
  // Every run, warm-ups included, must have measured something finite.
  for (const r of runs) {
    checkFinite('dnn run times (s)', [r.seconds, ...r.layerMs]);
    if (!(r.seconds > 0)) throw new Error(`dnn: a run measured ${r.seconds} s; the timer did not run`);
  }
  // The times printed are the protocol's: its kept samples only (warm-ups and a recalibrated round are
  // not among them).
  const measuredPath = measured.paths[path]!;
  const layers = measuredPath.timings;
  const total = measuredPath.total;
  const run = measuredPath.result;
  const seconds = total.ms / 1000;
  const edges = dnnEdges(dnn, input.rows);
  const categories = run.categories.map((i) => i + first + 1); // 1-based images of the whole input

  const adapter = backend.kind === 'webgpu' ? backend.ctx.adapterLabel : null;
  if (backend.kind === 'webgpu') backend.ctx.dispose();
  const kernel = backend.kind === 'webgpu' ? `webgpu (${adapter})` : `cpu (${backend.reason})`;
  const threads = cpuKernel !== 'spmm' && workers > 1 ? `, ${workers} worker threads` : ', main thread';
  const how =
    backend.kind === 'webgpu' ? gpuHow : path === 'sparse' ? `sparse, ${cpuKernel} kernel${threads}` : path;
  console.log(
    `dnn: ${dnn.layers.length} layers (${dnn.names[0]} … ${dnn.names[dnn.names.length - 1]}), ` +
      `${input.rows} images (${first + 1}..${first + input.rows}) × ${input.cols}, bias ${bias}, ymax ${ymax}; ` +
      `loaded in ${loadSeconds.toFixed(2)} s`,
  );
  console.log(
    `backend ${kernel}, path ${how}, timer ${run.timerSource}, median (p10–p90) of ${total.samples} run(s) after a warm-up of ${(measuredPath.warmupMs / 1000).toFixed(4)} s (start-up, not counted)`,
  );
  const fallback = runs.find((r) => r.fallback)?.fallback;
  if (fallback) console.log(`note: ${fallback}`);
  printLayerTable(dnn, layers);
  console.log(`categories (${categories.length}, 1-based): ${categories.join(' ')}`);
  console.log(
    `total ${seconds.toFixed(4)} s, median (p10–p90) ${spreadCell(total)} ms; ` +
      `${(edges / seconds).toExponential(3)} edges/s (${edges} edges)`,
  );

  const truthPath = stringFlag(args, 'truth');
  const truth = truthPath
    ? compareTruth(await readFile(truthPath, 'utf8'), truthPath, categories, first, input.rows)
    : null;
  const status = truth && !truth.match ? 1 : 0;

  const jsonPath = stringFlag(args, 'json');
  if (jsonPath) {
    const report = {
      categories,
      seconds,
      edgesPerSecond: edges / seconds,
      layers: layers.map((t) => t.ms),
      layerTimings: layers.map((t) => ({
        layer: t.layer,
        ms: t.ms,
        p10: t.p10,
        p90: t.p90,
        samples: t.samples,
      })),
      total,
      warmupMs: measuredPath.warmupMs,
      edges,
      nImages: input.rows,
      firstImage: first + 1,
      nLayers: dnn.layers.length,
      backend: backend.kind,
      adapter,
      path,
      cpuKernel: backend.kind === 'cpu' && path === 'sparse' ? cpuKernel : null,
      cpuThreads: backend.kind === 'cpu' && path === 'sparse' && cpuKernel !== 'spmm' ? workers : null,
      fallback: fallback ?? null, // the kernel that ran instead of cpuKernel, and why (runDnnCpu)
      timerSource: run.timerSource,
      loadSeconds,
      truth, // null without --truth; a reader decides match/mismatch from here, never from the log
    };
    await writeFile(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`wrote ${jsonPath}`);
  }
  return status;
}

function printLayerTable(dnn: SparseDnn, layers: LayerTiming[]): void {
  console.log('layer  file                 nnz(W)  ms, median (p10–p90)');
  dnn.layers.forEach((w, l) => {
    const name = dnn.names[l].padEnd(18);
    const t = layers[l];
    const cell =
      t?.p10 !== undefined && t.p90 !== undefined ? spreadCell({ ms: t.ms, p10: t.p10, p90: t.p90 }) : '—';
    console.log(`${String(l + 1).padStart(5)}  ${name} ${String(w.nnz).padStart(8)}  ${cell}`);
  });
}

/** How the categories compare with a truth file (1-based image numbers). */
interface TruthComparison {
  file: string;
  match: boolean;
  expected: number;
  found: number;
  missing: number[];
  unexpected: number[];
}

/** Compare with a truth file (restricted to the images that ran); printed, the verdict last. */
function compareTruth(
  text: string,
  file: string,
  got: number[],
  first: number,
  count: number,
): TruthComparison {
  const truth = loadDnnCategories(text, basename(file))
    .filter((i) => i >= first && i < first + count)
    .map((i) => i + 1);
  const gotSet = new Set(got);
  const truthSet = new Set(truth);
  const missing = truth.filter((i) => !gotSet.has(i));
  const unexpected = got.filter((i) => !truthSet.has(i));
  const result = {
    file: basename(file),
    match: missing.length === 0 && unexpected.length === 0,
    expected: truth.length,
    found: got.length,
    missing,
    unexpected,
  };
  if (result.match) {
    console.log(`truth: match (${truth.length} categories, ${basename(file)})`);
    return result;
  }
  // At most 20 image numbers per list, so the verdict stays on the last line however wrong the run was.
  const list = (ids: number[]) =>
    ids.length === 0
      ? 'none'
      : `${ids.slice(0, 20).join(' ')}${ids.length > 20 ? ` … (${ids.length} in all)` : ''}`;
  console.error(`truth: missing ${list(missing)}; unexpected ${list(unexpected)}`);
  console.error(
    `truth: MISMATCH against ${basename(file)}: ${truth.length} expected, ${got.length} found ` +
      `(${missing.length} missing, ${unexpected.length} unexpected)`,
  );
  return result;
}

/** The worker pool, or null (a note printed) where its threads cannot load their code: the main thread runs. */
async function startWorkerPool(dnn: SparseDnn, workers: number, kernel: 'live-simd' | 'skip-zeros') {
  const { DnnWorkerPool, DnnWorkerStartError } = await import('../engine/dnnThreads');
  try {
    return await DnnWorkerPool.create(dnn, workers, kernel);
  } catch (err) {
    if (!(err instanceof DnnWorkerStartError)) throw err;
    console.log(`note: ${err.message}; running on the main thread (1 worker)`);
    return null;
  }
}
