// The layered-sparse-network workload (Graph Challenge DNN or the person's own .mtx files): parse in a
// worker, draw the network beside the same weights stored densely, run an image range through the sparse
// path then the dense path on the session's backend, and time every layer of both.
//   GPU: DnnGpuPlan (CSR SpMM / dense matmul, one timed pass per layer), plans kept per (path, batch).
//   CPU: runDnnCpu in dnnWorker.ts ('skip-zeros' for sparse, WASM/JS GEMM for dense), wall clock.

import type { LayerTiming, TimerSourceName, WeightPath } from '../../contracts';
import { DnnGpuPlan } from '../../engine/dnnGpu';
import { measurePaths, measureSummary, sumOfRows } from '../../engine/measure';
import type { Session } from '../../engine/session';
import type { GpuContext } from '../../gpu/context';
import { withGpuErrors } from '../../gpu/limits';
import type { CsrMatrix } from '../../math/csr';
import { median } from '../../math/stats';
import { dnnEdges, type SparseDnn, selectImages } from '../../model/dnn';
import type { NetworkGraph } from '../../model/graph';
import { dnnTimings, graphFromDnn } from '../../model/graphDnn';
import type { ModelLayers } from '../bench/params';
import { nextTask } from '../nextTask';
import { browserDnnWorker, DnnCpuClient } from './dnnCpu';
import { collectDnnFiles, type DnnSource } from './dnnSources';
import { formatDnnSummary, type PathRun, parseImageRange } from './dnnSummary';
import type { Workload, WorkloadProgress, WorkloadResult } from './workload';

export type { DnnSource } from './dnnSources';
export { parseImageRange } from './dnnSummary';

/** Most images whose per-layer activations light the scene's nodes (one "token" each). */
const LIT_IMAGES = 8;

export class DnnWorkload implements Workload {
  readonly id: string;
  readonly usesDensity = false;
  readonly inputLabel = 'images (e.g. all, 1-1200, 280-311)';
  readonly defaultInput = 'all';
  private dnn: SparseDnn | null = null;
  private input: CsrMatrix | null = null;
  private truth: number[] | null = null;
  private graphs: { sparse: NetworkGraph; dense: NetworkGraph } | null = null;
  /** Each layer's dense copy (the dense twin's DenseWeights.data), reused by the dense GPU plan. */
  private dense: Float32Array[] | null = null;
  private cpu: DnnCpuClient | null = null;
  private plans = new Map<WeightPath, DnnGpuPlan>();
  private plansCtx: GpuContext | null = null;

  constructor(private readonly source: DnnSource) {
    this.id = source.kind === 'builtin' ? 'graph-challenge-dnn' : 'dnn-files';
  }

  /** The network's name for the benchmark panel. */
  private get name(): string {
    return this.source.kind === 'builtin' ? 'Graph Challenge DNN' : 'Sparse DNN (picked files)';
  }

  async load(_session: Session, _density: number, progress: WorkloadProgress): Promise<void> {
    const t0 = performance.now();
    const files = await collectDnnFiles(this.source, (f, what) => progress(0.5 * f, what));
    const t1 = measure('read', t0);
    this.cpu ??= new DnnCpuClient(typeof Worker === 'undefined' ? undefined : browserDnnWorker);
    // The dense twin's copies (4 MB a layer here) are made in the worker too: ~20–60 ms a layer here.
    const parsed = await this.cpu.parse({ ...files, dense: true }, (f, what) =>
      progress(0.5 + 0.5 * f, what),
    );
    const t2 = measure('parse', t1, { workerMs: parsed.parseMs });
    this.dnn = parsed.dnn;
    this.input = parsed.input ?? null;
    this.truth = parsed.truth ?? null;
    this.destroyPlans(); // a new network: old GPU weights are stale
    const { dense } = parsed;
    this.dense = dense ?? null;
    this.graphs = {
      // Titles of one length, so that both fit above their networks: "Sparse DNN (1/32 of weights)".
      sparse: graphFromDnn(parsed.dnn, { sparse: true, title: 'Sparse DNN' }),
      dense: graphFromDnn(parsed.dnn, { sparse: false, title: 'Dense storage (same weights)', dense }),
    };
    measure('graphs', t2);
    progress(1, `${parsed.dnn.layers.length} layers loaded`);
  }

  /** The loaded network (for tests and the CLI-like debug API). */
  get network(): SparseDnn | null {
    return this.dnn;
  }

  async run(session: Session, spec: string): Promise<WorkloadResult> {
    const { dnn, graphs } = this;
    if (!dnn || !graphs) throw new Error('load the network first');
    if (!this.input) {
      throw new Error('no input images: pick a file whose name contains "images" with the layers');
    }
    const tRun = performance.now();
    const { first, count } = parseImageRange(spec, this.input.rows);
    const images = selectImages(this.input, first, count);
    let ctx = session.status.kind === 'webgpu' ? session.gpuContext : null;
    let backend = ctx ? 'WebGPU' : 'CPU';
    // This network is not loaded into the session, so the session's own fallback does not cover it: on a
    // lost device, both paths run on the CPU worker and the summary says so.
    if (ctx?.isLost) [ctx, backend] = [null, 'CPU (the GPU device was lost)'];
    // The measurement protocol (engine/measure.ts): a warm-up run per path (plans, uploads), then the paths
    // interleaved until enough samples; per layer the median and p10–p90.
    const gpu = ctx;
    const seconds: Record<WeightPath, number[]> = { dense: [], sparse: [] };
    const m = await measurePaths(
      ['dense', 'sparse'],
      async (path) => {
        // Inside error scopes: a validation or out-of-memory error fails the run (error banner), no numbers.
        const r = gpu
          ? await withGpuErrors(gpu.device, `the ${path} pass`, () => this.runGpu(gpu, dnn, images, path))
          : await this.runCpu(images, path);
        seconds[path].push(r.seconds);
        return { ...r, timings: dnnTimings(r.layerMs, path, r.source) };
      },
      { total: sumOfRows, onProgress: session.onMeasureProgress },
    );
    const runs: PathRun[] = (['sparse', 'dense'] as const).map((path) => {
      const p = m.paths[path]!;
      const wall = 1000 * median(seconds[path].slice(1)); // the warm-up run is not a sample
      return {
        path,
        categories: p.result.categories,
        seconds: wall / 1000,
        edgesPerSecond: dnnEdges(dnn, count) / (wall / 1000),
      };
    });
    const timings: LayerTiming[] = [...m.paths.sparse!.timings, ...m.paths.dense!.timings];
    const found = runs[0].categories.map((i) => i + first); // 0-based image indices of the full input
    const lit = litImages(found, first, count);
    // In the worker (it holds the same network and input): ~25 ms an image here, too long for a task.
    if (!this.cpu) throw new Error('load the network first');
    const acts = {
      tokens: lit.map((i) => `img ${i + 1}`),
      positionName: 'image',
      byLayer: await this.cpu.activations(lit),
    };
    const truth = this.truth?.filter((i) => i >= first && i < first + count) ?? null;
    const summary = formatDnnSummary({
      first,
      count,
      runs: runs.map((r) => ({ ...r, categories: r.categories.map((i) => i + first) })),
      truth,
      backend,
    });
    measure('run', tRun, { sparseMs: 1000 * runs[0].seconds, denseMs: 1000 * runs[1].seconds });
    return {
      scene: {
        sparseGraph: graphs.sparse,
        denseGraph: graphs.dense,
        activations: { sparse: acts, dense: acts }, // same weights: the same activations on both sides
        timings,
        measure: measureSummary(m),
      },
      summary,
    };
  }

  private async runGpu(ctx: GpuContext, dnn: SparseDnn, images: CsrMatrix, path: WeightPath) {
    if (this.plansCtx !== ctx) this.destroyPlans();
    this.plansCtx = ctx;
    let plan = this.plans.get(path);
    if (!plan || plan.batch !== images.rows) {
      plan?.dispose();
      this.plans.delete(path);
      // One layer's upload per task, from the copies the worker made: no long task on a new batch size.
      const options = { dense: this.dense ?? undefined, between: nextTask };
      plan = await DnnGpuPlan.create(ctx, dnn, path, images.rows, options);
      this.plans.set(path, plan);
    }
    const r = await plan.run(images);
    const source: TimerSourceName = r.timerSource;
    return { categories: r.categories, layerMs: r.layerMs, seconds: r.seconds, source };
  }

  private async runCpu(images: CsrMatrix, path: WeightPath) {
    if (!this.cpu) throw new Error('load the network first');
    const r = await this.cpu.run(images, path);
    const source: TimerSourceName = 'wall';
    return { categories: r.categories, layerMs: r.layerMs, seconds: r.seconds, source };
  }

  benchLayers(): ModelLayers {
    const shapes = new Map<string, { n: number; k: number }>();
    let nnz = 0;
    let dense = 0;
    for (const w of this.dnn?.layers ?? []) {
      shapes.set(`${w.rows}x${w.cols}`, { n: w.rows, k: w.cols });
      nnz += w.nnz;
      dense += w.rows * w.cols;
    }
    if (shapes.size === 0) return { name: this.name, shapes: [{ n: 1024, k: 1024 }], densities: [32 / 1024] };
    return { name: this.name, shapes: [...shapes.values()], densities: [nnz / dense] };
  }

  private destroyPlans(): void {
    for (const plan of this.plans.values()) plan.dispose();
    this.plans.clear();
    this.plansCtx = null;
  }

  dispose(): void {
    this.destroyPlans();
    this.cpu?.terminate();
    this.cpu = null;
    this.dnn = null;
    this.input = null;
    this.graphs = null;
    this.dense = null;
  }
}

/**
 * A performance.measure 'sparsescope.dnn.<what>' from `start` to now (the e2e test and the devtools
 * performance panel read them); returns now. `detail`: e.g. the worker's own parse time.
 */
function measure(what: string, start: number, detail?: Record<string, number>): number {
  const end = performance.now();
  performance.measure(`sparsescope.dnn.${what}`, { start, end, detail });
  return end;
}

/** Images whose activations colour the scene: the surviving ones first, else the start of the range. */
function litImages(found: number[], first: number, count: number): number[] {
  if (found.length > 0) return found.slice(0, LIT_IMAGES);
  return Array.from({ length: Math.min(count, 4) }, (_, i) => first + i);
}

export function createDnnWorkload(source: DnnSource): DnnWorkload {
  return new DnnWorkload(source);
}
