// Reading and parsing a layered network off the main thread: the 30 Graph Challenge layers (14 MB of
// text) take ~0.5–0.9 s to parse, so a Web Worker (loaderWorker.ts) does it and the page stays responsive;
// in Node (tests) the same loader is called inline. Served through src/engine/rpc.ts:
//   parse        Blobs in (by reference); CSR arrays, input, truth and, when asked, every layer's dense
//                copy out, transferred (the loader keeps its own network and input); progress on the way.
//   activations  per run, for the scene's node colours: a few images × Σ nnz(Wₗ), ~25 ms an image on a
//                slow machine, too long for a page's task.
// Running the network is the session's backend's job (Backend.runDnn), not the loader's.

import type { CsrMatrix, CsrParts } from '../../math/csr';
import { loadDnnCategories, loadDnnFromTexts, loadDnnInput, type SparseDnn } from '../../model/dnn';
import { dnnLayerActivations } from '../../model/graphDnn';
import type { RpcProgress } from '../rpc';

/** A file's bytes by name: a picked File, or a fetched Blob. Posted to the worker by reference. */
export interface NamedBlob {
  name: string;
  blob: Blob;
}

export interface DnnFiles {
  layers: NamedBlob[];
  /** Y₀, images × pixels (absent: the network can be drawn, not run). */
  images?: NamedBlob;
  /** Rows (images) with a nonzero final output, when known. */
  truth?: NamedBlob;
}

/** What 'parse' reads; `dense`: also make every layer's dense copy (4 MB a 1024² layer) off the main thread. */
export type DnnParseRequest = DnnFiles & { dense?: boolean };

/** A layered network as it crosses between threads: CSR parts (structured cloning drops the class). */
export interface DnnParts {
  layers: CsrParts[];
  names: string[];
  bias: number;
  ymax: number;
}

export interface ParsedDnn extends DnnParts {
  input?: CsrParts;
  /** 0-based images with a nonzero final output, from the categories file. */
  truth?: number[];
  /** Each layer's dense (Nₗ × Kₗ) row-major copy, when the request asked for them. */
  dense?: Float32Array[];
  /** Reading + parsing (+ the dense copies), in the worker. */
  parseMs: number;
}

export type DnnLoaderApi = {
  parse(request: DnnParseRequest, progress: RpcProgress): Promise<ParsedDnn>;
  /** `images`: 0-based rows of the parsed input; dnnLayerActivations' byLayer (images × width per layer id). */
  activations(images: number[]): Record<string, Float32Array>;
};

const copyParts = (m: CsrMatrix): CsrParts => ({
  rows: m.rows,
  cols: m.cols,
  rowPtr: m.rowPtr.slice(),
  colIdx: m.colIdx.slice(),
  values: m.values.slice(),
});

const buffers = (arrays: ArrayBufferView[]): ArrayBuffer[] =>
  arrays.map((a) => a.buffer).filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);

/**
 * The buffers a reply can hand over rather than copy: the parsed CSR arrays (the loader's copies), the
 * dense copies and the activations (both made per request).
 */
export function loaderReplyTransfer(method: string, value: unknown): ArrayBuffer[] {
  if (method === 'activations') return buffers(Object.values(value as Record<string, Float32Array>));
  if (method !== 'parse') return [];
  const parsed = value as ParsedDnn;
  const all = [...parsed.layers, ...(parsed.input ? [parsed.input] : [])];
  return buffers([...all.flatMap((m) => [m.rowPtr, m.colIdx, m.values]), ...(parsed.dense ?? [])]);
}

/** Holds one network and its input; the worker entry and the inline client share it. */
export class DnnLoader implements DnnLoaderApi {
  private dnn: SparseDnn | null = null;
  private input: CsrMatrix | null = null;

  activations(images: number[]): Record<string, Float32Array> {
    if (!this.dnn) throw new Error('the DNN worker has no network: parse one first');
    if (!this.input) throw new Error('the DNN worker has no input images');
    return dnnLayerActivations(this.dnn, this.input, images, images.map(String)).byLayer;
  }

  async parse(request: DnnParseRequest, progress: RpcProgress): Promise<ParsedDnn> {
    const t0 = performance.now();
    const all = [...request.layers, ...(request.images ? [request.images] : [])];
    const texts: { name: string; text: string }[] = [];
    for (const [i, f] of all.entries()) {
      progress((0.5 * i) / all.length, `reading ${f.name}`);
      texts.push({ name: f.name, text: await f.blob.text() });
    }
    progress(0.5, `parsing ${request.layers.length} layers${request.images ? ' and the images' : ''}`);
    const dnn = loadDnnFromTexts(texts.slice(0, request.layers.length));
    const images = request.images ? texts[request.layers.length] : null;
    const input = images ? loadDnnInput(images.text, images.name, dnn) : undefined;
    const truth = request.truth && loadDnnCategories(await request.truth.blob.text(), request.truth.name);
    const dense = request.dense
      ? dnn.layers.map((w, l) => {
          progress(0.9 + (0.1 * l) / dnn.layers.length, `storing layer ${l + 1} densely`);
          return w.toDense();
        })
      : undefined;
    this.dnn = dnn;
    this.input = input ?? null;
    const { names, bias, ymax } = dnn;
    // Copies, so the loader keeps its own network while these are transferred (no clone on the main thread).
    return {
      layers: dnn.layers.map(copyParts),
      names,
      bias,
      ymax,
      input: input && copyParts(input),
      truth,
      dense,
      parseMs: performance.now() - t0,
    };
  }
}
