// The Backend contract (../shared/DESIGN.md): the scene, overlays, benchmark panel and CLI consume only this.
import type { BackendKind, ForwardResult, LayerTiming, WeightPath } from '../contracts';
import type { CsrMatrix } from '../math/csr';
import type { SparseDnn } from '../math/dnn';
import type { Gpt2Weights } from '../model/weights';

/**
 * The two networks a backend runs: `dense` through the dense kernels, `sparse` (every Linear has `csr`)
 * through the CSR kernels. For a pruned preset they share everything but the linear weights; for the
 * trained pair they are two separately trained models of the same shape.
 */
export interface ModelPair {
  dense: Gpt2Weights;
  sparse: Gpt2Weights;
}

export interface BackendForwardOptions {
  path: WeightPath;
  /** Append to this path's KV cache instead of starting over at position 0 (incremental decoding). */
  append?: boolean;
  /** Read back the residual stream and MLP activations (default true; benchmarks turn it off). */
  activations?: boolean;
  /** Logits for every position (default) or only the last one (decoding). */
  logits?: 'all' | 'last';
  /**
   * Runs per timed op inside this forward, by op name: the measurement protocol (measure.ts) repeats ops
   * shorter than the timer resolves. Only ops that can run twice with the same result are repeated; each
   * LayerTiming says how often (`repeats`) and gives the time of one run.
   */
  repeats?: Readonly<Record<string, number>>;
}

/** A layered sparse network (Graph Challenge DNN): its sparse path runs CSR, its dense path the same weights stored densely. */
export interface DnnModel {
  dnn: SparseDnn;
  /** Each layer's dense (Nₗ × Kₗ) row-major copy when the caller holds them (not made again). */
  dense?: readonly Float32Array[];
  /**
   * Awaited between layer uploads (a page's nextTask): a dense GPU plan writes 4 MB a layer, and a page
   * must not do all of it in one task.
   */
  between?: () => Promise<void>;
}

/** One path of a layered network over a batch of images. */
export interface DnnRun {
  /** 0-based rows of the batch whose final activations have a nonzero. */
  categories: number[];
  layerMs: number[];
  /** Sum of the layers' times. */
  seconds: number;
  /** One 'dnn' record per layer. */
  timings: LayerTiming[];
}

export interface Backend {
  readonly kind: BackendKind;
  /** Why this backend is in use when it is not the one asked for (e.g. "no WebGPU adapter"). */
  readonly reason?: string;
  /** Adapter or CPU description for the status line. */
  readonly description: string;
  prepare(models: ModelPair, onProgress?: (fraction: number, what: string) => void): Promise<void>;
  forward(tokens: number[], options: BackendForwardOptions): Promise<ForwardResult>;
  /** Load a layered network (it replaces a loaded model pair). */
  prepareDnn(model: DnnModel): Promise<void>;
  /** Run a batch of images (rows × the first layer's inputs) through one path of the layered network. */
  runDnn(images: CsrMatrix, path: WeightPath): Promise<DnnRun>;
  /** Drop the loaded models (GPU buffers, worker weights); the device and workers stay for the next one. */
  release(): void;
  /** Tokens currently in a path's KV cache. */
  cacheLength(path: WeightPath): number;
  /**
   * Kernels that fell back to a slower one since this was last called (the CPU's WebAssembly kernels out
   * of wasm memory, running their JavaScript twins), each said once per backend: "kernel: why; what ran".
   */
  takeFallbackNotes?(): string[];
  dispose(): void;
}
