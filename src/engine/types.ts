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
  ms: number;
  source: TimerSourceName;
}
