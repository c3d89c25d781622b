// Architecture options beyond HF GPT-2, for OpenAI's circuit_sparsity models (Gao et al. 2025; see
// ../shared/data/circuit-sparsity/FORWARD_PASS.md). A Gpt2Config without `arch` is plain GPT-2; with it,
// the forward passes (src/math/cspForward.ts, src/engine/webgpu/cspPlan.ts) follow these options.

/** Where AbsTopK activation sparsity may act (gpt.py `afrac_loctypes`). */
export const ABSTOPK_LOCATIONS = [
  'attn_in',
  'attn_q',
  'attn_k',
  'attn_v',
  'attn_out',
  'mlp_in',
  'mlp_neuron',
  'mlp_out',
  'resid_post_attn',
  'resid_post_mlp',
] as const;
export type AbsTopKLocation = (typeof ABSTOPK_LOCATIONS)[number];

export interface ArchOptions {
  family: 'circuit-sparsity';
  /** RMSNorm (gain only, eps = float32 epsilon) or LayerNorm (eps 1e-5; bias zeros when ln_bias is off). */
  norm: 'rmsnorm' | 'layernorm';
  /** MLP activation: exact (erf) GELU or ReLU. */
  activation: 'gelu-erf' | 'relu';
  /** x = relu(x) after each residual add. */
  residualRelu: boolean;
  /** Per-head width; attention width A = nHead·dHead may differ from dModel. */
  dHead: number;
  /** lm_head is wte (else its own (vocab, d) matrix). */
  tiedUnembed: boolean;
  /** logits += bigram[current token] (a vocab × vocab table). */
  bigram: boolean;
  /** A learned per-head sink logit joins every softmax (value 0). */
  sink: boolean;
  /** AbsTopK fraction (k = floor(afrac·width)), or null for none. */
  afrac: number | null;
  afracLocations: AbsTopKLocation[];
}

/** float32 machine epsilon: torch.nn.RMSNorm's eps when none is given. */
export const RMS_NORM_EPS = 1.1920928955078125e-7;

/** Attention width n_head·d_head (= dModel for GPT-2). */
export function attentionWidth(config: { dModel: number; nHead: number; arch?: ArchOptions }): number {
  return config.arch ? config.nHead * config.arch.dHead : config.dModel;
}

/** k of the AbsTopK at `location` for a vector of `width`, or null when none acts there. */
export function topKAt(
  arch: ArchOptions | undefined,
  location: AbsTopKLocation,
  width: number,
): number | null {
  if (!arch || arch.afrac === null || !arch.afracLocations.includes(location)) return null;
  // Python int() of a float: truncation toward zero (afrac ≥ 0).
  return Math.min(width, Math.floor(arch.afrac * width));
}

/** One line per option, for the CLI and the status line. */
export function describeArch(arch: ArchOptions, dModel: number, nHead: number): string[] {
  return [
    `norm: ${arch.norm === 'rmsnorm' ? 'RMSNorm (eps 1.19e-7)' : 'LayerNorm (eps 1e-5)'}`,
    `MLP activation: ${arch.activation === 'gelu-erf' ? 'GELU (exact, erf)' : 'ReLU'}`,
    `residual ReLU: ${arch.residualRelu ? 'yes' : 'no'}`,
    `attention: ${nHead} heads × d_head ${arch.dHead} = ${nHead * arch.dHead}${nHead * arch.dHead === dModel ? '' : ` (≠ d_model ${dModel})`}`,
    `attention sink: ${arch.sink ? 'yes' : 'no'}`,
    `unembedding: ${arch.tiedUnembed ? 'tied to wte' : 'untied lm_head'} + final_logits_bias`,
    `bigram table: ${arch.bigram ? 'yes' : 'no'}`,
    `AbsTopK: ${arch.afrac === null || arch.afracLocations.length === 0 ? 'none' : `afrac ${arch.afrac} at ${arch.afracLocations.join(', ')}`}`,
  ];
}
