// CLI loading of OpenAI circuit_sparsity checkpoints: final_model.pt (torch zip) or the same state_dict as
// safetensors, with beeg_config.json from --config or beside the file; the sparse twin is the CSR of the
// stored nonzeros (nothing pruned). The tokenizer (encoder.json + vocab.bpe) is used when it lies beside.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ModelPair } from '../engine/backend';
import { parseSafetensors, type SafetensorsFile } from '../formats/safetensors';
import { looksLikeZip, readTorchCheckpoint } from '../formats/torchCheckpoint';
import { describeArch } from '../math/arch';
import { circuitSparsityPair, isCircuitSparsityFile, loadCircuitSparsity } from '../model/circuitSparsity';
import type { Gpt2Weights } from '../model/weights';
import { UsageError } from './args';

export interface LoadedCspModel {
  name: string;
  weights: Gpt2Weights;
  pair: ModelPair;
  warnings: string[];
  /** One line per architecture option found. */
  archLines: string[];
}

/**
 * The checkpoint's tensors when it is a circuit_sparsity model (a .pt zip, a safetensors file in its key
 * layout, or any file given with --config), else null (the caller reads it as an HF GPT-2).
 */
export function loadCspIfApplicable(
  spec: string,
  bytes: Uint8Array,
  configPath?: string,
): LoadedCspModel | null {
  let file: SafetensorsFile;
  if (looksLikeZip(bytes)) file = readTorchCheckpoint(bytes, spec);
  else {
    file = parseSafetensors(bytes, spec);
    if (!configPath && !isCircuitSparsityFile(file)) return null;
  }
  const config = configPath ?? join(dirname(spec), 'beeg_config.json');
  if (!existsSync(config))
    throw new UsageError(
      `${spec} is a circuit_sparsity checkpoint; its beeg_config.json was not found beside it (give --config FILE)`,
    );
  const { weights, warnings } = loadCircuitSparsity(file, readFileSync(config, 'utf8'), config);
  const arch = weights.config.arch;
  const archLines = arch ? describeArch(arch, weights.config.dModel, weights.config.nHead) : [];
  return { name: spec, weights, pair: circuitSparsityPair(weights), warnings, archLines };
}
