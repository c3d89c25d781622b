// Seeded GPT-2-shaped weights and their pruned twin, as plain data, so the scene and its tests run
// before (and independently of) the real model code. Weights get per-neuron scales (log-normal), so
// top-|w| pruning concentrates on a few hub neurons, as trained sparse models do, and the picture has
// structure instead of uniform noise.

import { CsrMatrix } from '../math/csr';
import { Rng } from '../math/rng';
import { graphFromGpt2, type LinearLike, type NetworkGraph } from './graph';

export interface SyntheticConfig {
  nLayer: number;
  nHead: number;
  dModel: number;
  dMlp: number;
  vocab: number;
}

export const SYNTHETIC_PRESETS: Record<string, SyntheticConfig> = {
  /**
   * The default demo: 4 blocks, d 256 (wide enough that 1/64 keeps 4 weights per row, the rule's floor),
   * char-level vocabulary of printable ASCII.
   */
  tiny: { nLayer: 4, nHead: 4, dModel: 256, dMlp: 1024, vocab: 96 },
  /** GPT-2 small's real shape; the vocabulary layers are not drawn (50257 tokens). */
  'gpt2-small': { nLayer: 12, nHead: 12, dModel: 768, dMlp: 3072, vocab: 50257 },
  /** For tests: small enough to build in milliseconds. */
  micro: { nLayer: 2, nHead: 2, dModel: 16, dMlp: 64, vocab: 24 },
};

/** Vocabularies up to this size are drawn as token and logit layers. */
export const MAX_DRAWN_VOCAB = 4096;

export interface SyntheticLinear extends LinearLike {
  b: Float32Array;
}

export interface SyntheticBlock {
  qkv: SyntheticLinear;
  attnProj: SyntheticLinear;
  fc: SyntheticLinear;
  fcProj: SyntheticLinear;
}

export interface SyntheticModel {
  config: SyntheticConfig;
  /** (vocab, d) row-major, only when vocab ≤ MAX_DRAWN_VOCAB. */
  wte?: Float32Array;
  blocks: SyntheticBlock[];
}

function logNormal(rng: Rng, n: number, sigma: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.exp(sigma * rng.normal());
  return out;
}

function syntheticLinear(rng: Rng, n: number, k: number): SyntheticLinear {
  const rowScale = logNormal(rng, n, 0.4);
  const colScale = logNormal(rng, k, 0.4);
  const std = 1 / Math.sqrt(k);
  const w = new Float32Array(n * k);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < k; c++) w[r * k + c] = std * rowScale[r] * colScale[c] * rng.normal();
  }
  return { w, n, k, b: rng.normalArray(n, 0.02) };
}

export function syntheticGpt2(config: SyntheticConfig, seed = 1): SyntheticModel {
  const rng = new Rng(seed);
  const { dModel: d, dMlp } = config;
  const blocks: SyntheticBlock[] = [];
  for (let b = 0; b < config.nLayer; b++) {
    blocks.push({
      qkv: syntheticLinear(rng, 3 * d, d),
      attnProj: syntheticLinear(rng, d, d),
      fc: syntheticLinear(rng, dMlp, d),
      fcProj: syntheticLinear(rng, d, dMlp),
    });
  }
  const wte = config.vocab <= MAX_DRAWN_VOCAB ? rng.normalArray(config.vocab * d, 0.5) : undefined;
  return { config, wte, blocks };
}

/** The k-th largest value of `a` (1-based), by in-place quickselect (a is scrambled). */
function kthLargest(a: Float32Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  const target = k - 1; // index in descending order
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] > pivot) i++;
      while (a[j] < pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i++] = a[j];
        a[j--] = t;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return a[target];
  }
  return a[target];
}

/**
 * The paper's rule: keep the ⌈density·n·k⌉ largest |w| (ties in index order), then make sure every output
 * neuron keeps at least `minPerNeuron` (its own largest). (Stand-in until src/model/sparsify.ts lands.)
 */
export function pruneTopK(
  w: Float32Array,
  n: number,
  k: number,
  density: number,
  minPerNeuron = 4,
): CsrMatrix {
  const total = n * k;
  const keep = Math.min(total, Math.max(1, Math.ceil(density * total)));
  const abs = new Float32Array(total);
  for (let i = 0; i < total; i++) abs[i] = Math.abs(w[i]);
  const threshold = kthLargest(abs, keep);
  let above = 0;
  for (let i = 0; i < total; i++) if (Math.abs(w[i]) > threshold) above++;
  let tiesLeft = keep - above;
  const kept = new Uint8Array(total);
  for (let i = 0; i < total; i++) {
    const a = Math.abs(w[i]);
    if (a > threshold || (a === threshold && tiesLeft-- > 0)) kept[i] = 1;
  }
  const floor = Math.min(minPerNeuron, k);
  for (let r = 0; r < n; r++) {
    let count = 0;
    for (let c = 0; c < k; c++) count += kept[r * k + c];
    while (count < floor) {
      let best = -1;
      for (let c = 0; c < k; c++) {
        const i = r * k + c;
        if (!kept[i] && (best < 0 || Math.abs(w[i]) > Math.abs(w[best]))) best = i;
      }
      kept[best] = 1;
      count++;
    }
  }
  const masked = new Float32Array(total);
  for (let i = 0; i < total; i++) if (kept[i]) masked[i] = w[i] === 0 ? Number.MIN_VALUE : w[i];
  return CsrMatrix.fromDense(masked, n, k);
}

/** The twin: same dense arrays (shared, not copied), plus the CSR of the kept weights. */
export function sparsifyModel(model: SyntheticModel, density: number, minPerNeuron = 4): SyntheticModel {
  const prune = (lin: SyntheticLinear): SyntheticLinear => ({
    ...lin,
    csr: pruneTopK(lin.w, lin.n, lin.k, density, minPerNeuron),
  });
  return {
    ...model,
    blocks: model.blocks.map((b) => ({
      qkv: prune(b.qkv),
      attnProj: prune(b.attnProj),
      fc: prune(b.fc),
      fcProj: prune(b.fcProj),
    })),
  };
}

/**
 * Graph of a synthetic model (sparse: its CSR; dense: views of its arrays). `withVocab` adds the token and
 * logit layers (dense embedding edges on both sides) when the model has a drawable embedding.
 */
export function graphOfSynthetic(
  model: SyntheticModel,
  sparse: boolean,
  options: { title?: string; withVocab?: boolean } = {},
): NetworkGraph {
  const { config, wte } = model;
  return graphFromGpt2(model, {
    sparse,
    nHead: config.nHead,
    title: options.title,
    embedding: wte && options.withVocab ? { wte, vocab: config.vocab } : undefined,
  });
}

/** A sparse/dense pair of graphs for tests: `syntheticGraphPair('micro', 1/8)`. */
export function syntheticGraphPair(
  preset: keyof typeof SYNTHETIC_PRESETS | SyntheticConfig,
  density: number,
  seed = 1,
  withVocab = false,
): { sparse: NetworkGraph; dense: NetworkGraph; model: SyntheticModel; sparseModel: SyntheticModel } {
  const config = typeof preset === 'string' ? SYNTHETIC_PRESETS[preset] : preset;
  const model = syntheticGpt2(config, seed);
  const sparseModel = sparsifyModel(model, density);
  return {
    model,
    sparseModel,
    sparse: graphOfSynthetic(sparseModel, true, { withVocab }),
    dense: graphOfSynthetic(model, false, { withVocab }),
  };
}
