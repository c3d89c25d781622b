// The layered-sparse-network workload (Graph Challenge DNN or the person's own .mtx files): parse in a
// worker, draw the network beside the same weights stored densely, load it into the session and run an
// image range through the sparse path then the dense path on the session's backend (Backend.runDnn:
// DnnGpuPlan on WebGPU, runDnnCpu in the CPU backend's workers), with the session's device-loss fallback.

import type { LayerTiming } from '../../contracts';
import { browserDnnWorker, DnnLoaderClient } from '../../engine/dnn/loaderClient';
import { measurePaths, measureSummary } from '../../engine/measure';
import type { Session } from '../../engine/session';
import type { CsrMatrix } from '../../math/csr';
import { dnnEdges, type SparseDnn, selectImages } from '../../model/dnn';
import type { NetworkGraph } from '../../model/graph';
import { graphFromDnn } from '../../model/graphDnn';
import type { ModelLayers } from '../bench/params';
import { nextTask } from '../nextTask';
import { collectDnnFiles, type DnnSource } from './dnnSources';
import { formatDnnSummary, type PathRun, parseImageRange } from './dnnSummary';
import type { Workload, WorkloadProgress, WorkloadResult } from './workload';

export type { DnnSource } from './dnnSources';

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
  private loader: DnnLoaderClient | null = null;

  constructor(private readonly source: DnnSource) {
    this.id = source.kind === 'builtin' ? 'graph-challenge-dnn' : 'dnn-files';
  }

  /** The network's name for the benchmark panel. */
  private get name(): string {
    return this.source.kind === 'builtin' ? 'Graph Challenge DNN' : 'Sparse DNN (picked files)';
  }

  async load(session: Session, _density: number, progress: WorkloadProgress): Promise<void> {
    const t0 = performance.now();
    const files = await collectDnnFiles(this.source, (f, what) => progress(0.5 * f, what));
    const t1 = measure('read', t0);
    this.loader ??= new DnnLoaderClient(typeof Worker === 'undefined' ? undefined : browserDnnWorker);
    // The dense twin's copies (4 MB a layer here) are made in the worker too: ~20–60 ms a layer here.
    const parsed = await this.loader.parse(
      { ...files, dense: true },
      (f, what) => progress(0.5 + 0.5 * f, what),
      nextTask,
    );
    const t2 = measure('parse', t1, { workerMs: parsed.parseMs });
    this.dnn = parsed.dnn;
    this.input = parsed.input ?? null;
    this.truth = parsed.truth ?? null;
    const { dense } = parsed;
    // The dense copies are the dense twin's DenseWeights.data and the dense GPU plan's upload source;
    // one layer's upload per task (nextTask), so a new batch size makes no long task.
    await session.loadDnn({ dnn: parsed.dnn, dense, between: nextTask });
    const t3 = measure('prepare', t2);
    this.graphs = {
      // Titles of one length, so that both fit above their networks: "Sparse DNN (1/32 of weights)".
      sparse: graphFromDnn(parsed.dnn, { sparse: true, title: 'Sparse DNN' }),
      dense: graphFromDnn(parsed.dnn, { sparse: false, title: 'Dense storage (same weights)', dense }),
    };
    measure('graphs', t3);
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
    // The measurement protocol (engine/measure.ts): a warm-up run per path (plans, uploads), then the paths
    // interleaved until enough samples; per layer the median and p10–p90. Each run goes through the
    // session, so a lost device falls back to the CPU as for GPT-2.
    const m = await measurePaths(['dense', 'sparse'], (path) => session.runDnn(images, path), {
      total: (_timings, _path, r) => 1000 * r.seconds, // the run's own time, as before
      onProgress: session.onMeasureProgress,
    });
    const backend = session.status.kind === 'webgpu' ? 'WebGPU' : 'CPU';
    const runs: PathRun[] = (['sparse', 'dense'] as const).map((path) => {
      const p = m.paths[path]!;
      // The protocol's kept samples only (never a warm-up or a recalibrated round).
      const seconds = p.total.ms / 1000;
      return {
        path,
        categories: p.result.categories,
        seconds,
        edgesPerSecond: dnnEdges(dnn, count) / seconds,
      };
    });
    const timings: LayerTiming[] = [...m.paths.sparse!.timings, ...m.paths.dense!.timings];
    const found = runs[0].categories.map((i) => i + first); // 0-based image indices of the full input
    const lit = litImages(found, first, count);
    // In the worker (it holds the same network and input): ~25 ms an image here, too long for a task.
    if (!this.loader) throw new Error('load the network first');
    const acts = {
      tokens: lit.map((i) => `img ${i + 1}`),
      positionName: 'image',
      byLayer: await this.loader.activations(lit),
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

  dispose(): void {
    this.loader?.terminate();
    this.loader = null;
    this.dnn = null;
    this.input = null;
    this.graphs = null;
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
