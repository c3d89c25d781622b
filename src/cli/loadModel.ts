// Model loading for the CLI: a preset name (seeded synthetic weights) or an HF GPT-2 model.safetensors,
// with config.json read from beside it when present; and the sparse twin at a density.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ModelPair } from '../engine/backend';
import { GPT2_PRESETS, isPresetName, presetConfig } from '../model/config';
import { loadHfGpt2 } from '../model/hfGpt2';
import { initGpt2 } from '../model/init';
import { sparsifyModel } from '../model/sparsify';
import { loadGpt2Tokenizer, type Tokenizer } from '../model/tokenizer';
import type { Gpt2Weights } from '../model/weights';
import { UsageError } from './args';
import { loadCspIfApplicable } from './loadCsp';

export interface LoadedModel {
  name: string;
  weights: Gpt2Weights;
  warnings: string[];
  /** circuit_sparsity checkpoints: the pair (sparse = CSR of the stored nonzeros) and the options found. */
  pair?: ModelPair;
  archLines?: string[];
}

/** `configPath`: a circuit_sparsity beeg_config.json (else looked for beside the file). */
export function loadModel(spec: string, seed = 0, configPath?: string): LoadedModel {
  if (isPresetName(spec)) {
    return {
      name: `${spec} (synthetic, seed ${seed})`,
      weights: initGpt2(presetConfig(spec), { seed }),
      warnings: [],
    };
  }
  if (!existsSync(spec)) {
    throw new UsageError(
      `--model "${spec}" is neither a preset (${Object.keys(GPT2_PRESETS).join(', ')}) nor an existing file`,
    );
  }
  const bytes = new Uint8Array(readFileSync(spec));
  const csp = loadCspIfApplicable(spec, bytes, configPath);
  if (csp) return csp;
  const hfConfigPath = join(dirname(spec), 'config.json');
  const configJson = existsSync(hfConfigPath) ? readFileSync(hfConfigPath, 'utf8') : undefined;
  const { weights, warnings } = loadHfGpt2(bytes, {
    fileName: spec,
    configJson,
  });
  return { name: spec, weights, warnings };
}

/** The dense model and its weight-sparse twin (top-k |w| per matrix, at least `minPerNeuron` per neuron). */
export function makePair(
  dense: Gpt2Weights,
  density: number | 'exact',
  minPerNeuron = 4,
  includeEmbeddings = false,
): ModelPair {
  return { dense, sparse: sparsifyModel(dense, { density, minPerNeuron, includeEmbeddings }) };
}

/** GPT-2's BPE for the 50257-token vocabulary; other vocabularies need --tokens. */
export async function tokenizerFor(weights: Gpt2Weights): Promise<Tokenizer | null> {
  return weights.config.vocabSize === 50257 ? loadGpt2Tokenizer() : null;
}
