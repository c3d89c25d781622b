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
  ms: number;
  source: TimerSourceName;
}

export interface ForwardActivations {
  /** nLayer + 1 snapshots (T, d): the residual stream entering each block, then after the last block (before ln_f). */
  residual: Float32Array[];
  /** Per block (T, dMlp): the MLP hidden layer after GELU. */
  mlp: Float32Array[];
}

export interface ForwardResult {
  /** (T, vocab) for the tokens passed in. */
  logits: Float32Array;
  activations: ForwardActivations;
  /** Per block: 'qkv', 'attn.proj', 'attn' (whole sub-block), 'fc', 'fc.proj', 'mlp'; then 'unembed' (layer nLayer). */
  timings: LayerTiming[];
}
