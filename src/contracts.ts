// The types every layer shares, in one leaf module (../shared/DESIGN.md, "The contracts everything
// shares"). It imports nothing from src/: math, model, gpu, engine, bench, scene, ui and cli import it,
// never the reverse. Backends return plain typed arrays and these records, never GPU objects.

export type BackendKind = 'webgpu' | 'cpu';
export type WeightPath = 'dense' | 'sparse';
export type TimerSourceName = 'gpu-timestamp' | 'wall';

/** The element-wise epilogue a linear layer applies (the CPU reference is src/math/activations.ts). */
export type ActivationName = 'none' | 'gelu' | 'relu-clamp';

export interface LayerTiming {
  layer: number;
  /** 'attn' | 'mlp' for blocks; matmul names ('qkv', 'attn.proj', 'fc', 'fc.proj', 'unembed', 'dnn') inside them. */
  op: string;
  path: WeightPath;
  /** One forward's time; after the measurement protocol (src/engine/measure.ts), the median over samples. */
  ms: number;
  source: TimerSourceName;
  /** Set by the measurement protocol: the 10th and 90th percentiles and how many forwards were timed. */
  p10?: number;
  p90?: number;
  samples?: number;
  /** Times the op ran inside one sample (sub-resolution ops are repeated; `ms` is per run). */
  repeats?: number;
  /** A linear layer's GPU kernel ('tiled-vec4 TX=4 …') and how it was chosen (src/gpu/autotune). */
  kernel?: string;
  chosen?: KernelChoiceOrigin;
}

/** How a kernel was chosen: tuned on this adapter in this session, read from the tuning cache, or the default. */
export type KernelChoiceOrigin = 'tuned' | 'cached' | 'default';

/** A time over repeated samples: the median (ms), p10, p90 and how many samples (src/engine/measure.ts). */
export interface Spread {
  ms: number;
  p10: number;
  p90: number;
  samples: number;
}

/** What a view needs beside the per-op timings: the totals with their spread, start-up, repeats. */
export interface MeasureSummary {
  total: Partial<Record<WeightPath, Spread>>;
  /** Wall time of each path's warm-up forward (start-up: compiles, plans, JIT), never in the samples. */
  warmupMs: Partial<Record<WeightPath, number>>;
  /** Runs per op inside one sample (ops shorter than the timer resolves), by op name. */
  repeats: Record<string, number>;
  resolutionMs: number;
}

/** Samples so far while the protocol runs (after the warm-up and after every round). */
export interface MeasureProgress {
  samples: Partial<Record<WeightPath, number>>;
  target: number;
  warmupMs: Partial<Record<WeightPath, number>>;
}

interface ForwardActivations {
  /** nLayer + 1 snapshots (T, d): the residual stream entering each block, then after the last block (before ln_f). */
  residual: Float32Array[];
  /** Per block (T, dMlp): the MLP hidden layer after GELU. */
  mlp: Float32Array[];
}

export interface ForwardResult {
  /** (T, vocab) for the tokens passed in. */
  logits: Float32Array;
  activations: ForwardActivations;
  /**
   * 'embed' (layer 0); per block the passes 'ln1', 'qkv', 'attn.core', 'attn.proj', 'attn.add', 'ln2', 'fc',
   * 'fc.proj', 'mlp.add' and the sub-block totals 'attn', 'mlp' (their sums); then 'lnf', 'unembed' (layer nLayer).
   */
  timings: LayerTiming[];
}
