// The contract every consumer (scene, overlays, benchmark panel, CLI) reads: backends return plain
// typed arrays and a timings record, never GPU objects.

export type BackendKind = 'webgpu' | 'cpu';
export type WeightPath = 'dense' | 'sparse';
export type TimerSourceName = 'gpu-timestamp' | 'wall';

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
}
