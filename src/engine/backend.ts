// The Backend contract (../shared/DESIGN.md): the scene, overlays, benchmark panel and CLI consume only this.
import type { BackendKind, ForwardResult, WeightPath } from '../contracts';
import type { Gpt2Weights } from '../model/weights';

export type { ForwardResult } from '../contracts';

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

export interface Backend {
  readonly kind: BackendKind;
  /** Why this backend is in use when it is not the one asked for (e.g. "no WebGPU adapter"). */
  readonly reason?: string;
  /** Adapter or CPU description for the status line. */
  readonly description: string;
  prepare(models: ModelPair, onProgress?: (fraction: number, what: string) => void): Promise<void>;
  forward(tokens: number[], options: BackendForwardOptions): Promise<ForwardResult>;
  /** Drop the loaded models (GPU buffers, worker weights); the device and workers stay for the next one. */
  release(): void;
  /** Tokens currently in a path's KV cache. */
  cacheLength(path: WeightPath): number;
  dispose(): void;
}
