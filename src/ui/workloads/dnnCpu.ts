// A layered network's reading, parsing and CPU path, off the main thread: parsing the 30 Graph Challenge
// layers (14 MB of text) takes ~0.5–0.9 s and dense inference over 1200 images ~10 s, so both run in a Web
// Worker (dnnWorker.ts) and the page stays responsive. In Node (tests) the same runner is called inline.
// Protocol: 'parse' once (Blobs in, by reference; CSR arrays, input, truth and, when asked, every layer's
// dense copy out, transferred: the worker keeps its own network and input for the CPU runs; 'progress'
// messages on the way), then 'run' per image range and path, and 'activations' per run for the scene's
// node colours (a few images × Σ nnz(Wₗ), ~25 ms an image on a slow machine: too long for a page's task).

import { CsrMatrix, type CsrParts } from '../../math/csr';
import { type DnnPath, runDnnCpu } from '../../math/dnn';
import { loadDnnCategories, loadDnnFromTexts, loadDnnInput, type SparseDnn } from '../../model/dnn';
import { dnnLayerActivations } from '../../model/graphDnn';
import { nextTask } from '../nextTask';
import type { DnnFiles, NamedBlob } from './dnnSources';
import type { WorkloadProgress } from './workload';

export interface ParsedDnn {
  layers: CsrParts[];
  names: string[];
  bias: number;
  ymax: number;
  input?: CsrParts;
  /** 0-based images with a nonzero final output, from the categories file. */
  truth?: number[];
  /** Each layer's dense (Nₗ × Kₗ) row-major copy, when the request asked for them. */
  dense?: Float32Array[];
  /** Reading + parsing (+ the dense copies), in the worker. */
  parseMs: number;
}

/** What 'parse' reads; `dense`: also make every layer's dense copy (4 MB a 1024² layer) off the main thread. */
export type DnnParseRequest = DnnFiles & { dense?: boolean };

export type DnnCpuRequest =
  | ({ id: number; type: 'parse' } & DnnParseRequest)
  | { id: number; type: 'run'; input: CsrParts; path: DnnPath }
  /** `images`: 0-based rows of the parsed input. */
  | { id: number; type: 'activations'; images: number[] };

export type DnnCpuResponse =
  | ({ id: number; ok: true; type: 'parse' } & ParsedDnn)
  | { id: number; ok: true; type: 'run'; categories: number[]; layerMs: number[]; seconds: number }
  /** dnnLayerActivations' byLayer: (images × width) row-major per graph layer id. */
  | { id: number; ok: true; type: 'activations'; byLayer: Record<string, Float32Array> }
  | { id: number; ok: false; error: string };

/** Sent before a request's response, any number of times. */
export interface DnnCpuProgress {
  id: number;
  type: 'progress';
  fraction: number;
  what: string;
}

type RequestBody = DnnCpuRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

const parts = (m: CsrMatrix): CsrParts => ({
  rows: m.rows,
  cols: m.cols,
  rowPtr: m.rowPtr,
  colIdx: m.colIdx,
  values: m.values,
});

const copyParts = (m: CsrMatrix): CsrParts => ({
  rows: m.rows,
  cols: m.cols,
  rowPtr: m.rowPtr.slice(),
  colIdx: m.colIdx.slice(),
  values: m.values.slice(),
});

/**
 * The buffers a response can hand over rather than copy: the parsed CSR arrays (worker-side copies), the
 * dense copies and the activations (both made per request).
 */
export function transferables(response: DnnCpuResponse): ArrayBuffer[] {
  if (!response.ok) return [];
  if (response.type === 'activations') {
    return Object.values(response.byLayer)
      .map((a) => a.buffer)
      .filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
  }
  if (response.type !== 'parse') return [];
  const all = [...response.layers, ...(response.input ? [response.input] : [])];
  return [
    ...all.flatMap((m) => [m.rowPtr.buffer, m.colIdx.buffer, m.values.buffer]),
    ...(response.dense ?? []).map((d) => d.buffer),
  ].filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
}

/** Holds one network; answers requests. The worker entry and the inline client share it. */
export class DnnCpuRunner {
  private dnn: SparseDnn | null = null;
  private input: CsrMatrix | null = null;

  async handle(request: DnnCpuRequest, progress: (p: DnnCpuProgress) => void): Promise<DnnCpuResponse> {
    try {
      if (request.type === 'parse') return await this.parse(request, progress);
      if (!this.dnn) throw new Error('the CPU worker has no network: parse one first');
      if (request.type === 'activations') {
        if (!this.input) throw new Error('the CPU worker has no input images');
        const { byLayer } = dnnLayerActivations(
          this.dnn,
          this.input,
          request.images,
          request.images.map(String),
        );
        return { id: request.id, ok: true, type: 'activations', byLayer };
      }
      const input = new CsrMatrix(request.input, 'input images');
      // 'skip-zeros' for the sparse path: CSR weights and dead activations skipped, the fastest CPU kernel.
      const { categories, layerMs, seconds } = runDnnCpu(this.dnn, input, { path: request.path });
      return { id: request.id, ok: true, type: 'run', categories, layerMs, seconds };
    } catch (err) {
      return { id: request.id, ok: false, error: err instanceof Error ? err.message : String(err) };
    }
  }

  private async parse(
    request: DnnCpuRequest & { type: 'parse' },
    progress: (p: DnnCpuProgress) => void,
  ): Promise<DnnCpuResponse> {
    const t0 = performance.now();
    const all = [...request.layers, ...(request.images ? [request.images] : [])];
    const texts: { name: string; text: string }[] = [];
    for (const [i, f] of all.entries()) {
      progress({
        id: request.id,
        type: 'progress',
        fraction: (0.5 * i) / all.length,
        what: `reading ${f.name}`,
      });
      texts.push({ name: f.name, text: await f.blob.text() });
    }
    const what = `parsing ${request.layers.length} layers${request.images ? ' and the images' : ''}`;
    progress({ id: request.id, type: 'progress', fraction: 0.5, what });
    const dnn = loadDnnFromTexts(texts.slice(0, request.layers.length));
    const images = request.images ? texts[request.layers.length] : null;
    const input = images ? loadDnnInput(images.text, images.name, dnn) : undefined;
    const truth = await readTruth(request.truth);
    const dense = request.dense
      ? dnn.layers.map((w, l) => {
          const what = `storing layer ${l + 1} densely`;
          progress({ id: request.id, type: 'progress', fraction: 0.9 + (0.1 * l) / dnn.layers.length, what });
          return w.toDense();
        })
      : undefined;
    this.dnn = dnn;
    this.input = input ?? null;
    const { names, bias, ymax } = dnn;
    // Copies, so the worker keeps its own network while these are transferred (no clone on the main thread).
    const parsed: ParsedDnn = {
      layers: dnn.layers.map(copyParts),
      names,
      bias,
      ymax,
      input: input && copyParts(input),
      truth,
      dense,
      parseMs: performance.now() - t0,
    };
    return { id: request.id, ok: true, type: 'parse', ...parsed };
  }
}

async function readTruth(file: NamedBlob | undefined): Promise<number[] | undefined> {
  return file && loadDnnCategories(await file.blob.text(), file.name);
}

type Pending = { resolve: (r: DnnCpuResponse) => void; progress?: WorkloadProgress };

/** One network's CPU runner: a Web Worker in the browser, inline where there is no Worker (Node). */
export class DnnCpuClient {
  private readonly pending = new Map<number, Pending>();
  private readonly inline: DnnCpuRunner | null;
  private readonly worker: Worker | null;
  private nextId = 1;

  constructor(makeWorker?: () => Worker) {
    this.worker = makeWorker ? makeWorker() : null;
    this.inline = this.worker ? null : new DnnCpuRunner();
    if (this.worker) {
      this.worker.onmessage = (event: MessageEvent<DnnCpuResponse | DnnCpuProgress>) => {
        const m = event.data;
        const waiting = this.pending.get(m.id);
        if (!waiting) return;
        if ('type' in m && m.type === 'progress') {
          waiting.progress?.(m.fraction, m.what);
          return;
        }
        this.pending.delete(m.id);
        waiting.resolve(m);
      };
      this.worker.onerror = (event) => {
        for (const [id, p] of this.pending) {
          p.resolve({ id, ok: false, error: `DNN CPU worker failed: ${event.message}` });
        }
        this.pending.clear();
      };
    }
  }

  private call(body: RequestBody, progress?: WorkloadProgress): Promise<DnnCpuResponse> {
    const id = this.nextId++;
    const request = { ...body, id } as DnnCpuRequest; // body is one member of the union minus its id
    if (this.inline) return this.inline.handle(request, (p) => progress?.(p.fraction, p.what));
    const worker = this.worker!;
    return new Promise((resolve) => {
      this.pending.set(id, { resolve, progress });
      worker.postMessage(request);
    });
  }

  /**
   * Reads and parses the files in the worker (progress 0..1); it keeps the network for run().
   * `files.dense`: also return each layer's dense copy, made there.
   */
  async parse(
    files: DnnParseRequest,
    progress?: WorkloadProgress,
  ): Promise<{
    dnn: SparseDnn;
    input?: CsrMatrix;
    truth?: number[];
    dense?: Float32Array[];
    parseMs: number;
  }> {
    const reply = await this.call({ type: 'parse', ...files }, progress);
    if (!reply.ok) throw new Error(reply.error);
    if (reply.type !== 'parse') throw new Error('DNN CPU worker: unexpected reply');
    // Validating 30 layers of CSR is ~1M checks: a few layers per task keeps the page painting.
    const layers: CsrMatrix[] = [];
    for (const [l, p] of reply.layers.entries()) {
      layers.push(new CsrMatrix(p, reply.names[l]));
      if (l % 8 === 7) await nextTask();
    }
    const dnn: SparseDnn = { layers, names: reply.names, bias: reply.bias, ymax: reply.ymax };
    const input = reply.input && new CsrMatrix(reply.input, 'input images');
    return { dnn, input, truth: reply.truth, dense: reply.dense, parseMs: reply.parseMs };
  }

  /** Every layer's activations for a few images (0-based rows of the parsed input): see dnnLayerActivations. */
  async activations(images: readonly number[]): Promise<Record<string, Float32Array>> {
    const reply = await this.call({ type: 'activations', images: [...images] });
    if (!reply.ok) throw new Error(reply.error);
    if (reply.type !== 'activations') throw new Error('DNN CPU worker: unexpected reply');
    return reply.byLayer;
  }

  /** Runs Y₀ (a range of the parsed input) through one path of the parsed network. */
  async run(input: CsrMatrix, path: DnnPath) {
    const reply = await this.call({ type: 'run', input: parts(input), path });
    if (!reply.ok) throw new Error(reply.error);
    if (reply.type !== 'run') throw new Error('DNN CPU worker: unexpected reply');
    return reply;
  }

  terminate(): void {
    this.worker?.terminate();
    for (const [id, p] of this.pending) p.resolve({ id, ok: false, error: 'stopped' });
    this.pending.clear();
  }
}

/** The browser's worker (Vite bundles the module). */
export function browserDnnWorker(): Worker {
  return new Worker(new URL('./dnnWorker.ts', import.meta.url), { type: 'module', name: 'sparsescope-dnn' });
}
