// Opening OpenAI circuit_sparsity models in the app from dropped or picked files: final_model.pt (or the
// state_dict as .safetensors) with beeg_config.json, and optionally the tinypython tokenizer's
// encoder.json + vocab.bpe. The sparse network is the CSR of the stored nonzeros (nothing pruned).
import { checkVizCircuit, readVizData, type VizCircuit } from '../../formats/vizData';
import { attentionWidth, describeArch } from '../../math/arch';
import { bpeTokenizer, TINYPYTHON_EOT, TINYPYTHON_PATTERN, tokenIdTokenizer } from '../../model/bpeTokenizer';
import { circuitSparsityPair, loadCircuitSparsity, readCheckpoint } from '../../model/circuitSparsity';
import type { Tokenizer } from '../../model/tokenizer';
import type { Gpt2Weights } from '../../model/weights';
import { nextTask } from '../nextTask';
import type { WorkloadProgress } from './workload';

export interface CspFileSet {
  model: File;
  config: File;
  encoder?: File;
  vocabBpe?: File;
  /** The release's viewer data (viz_data.pt): a precomputed circuit to show on this model. */
  viz?: File;
}

const lower = (f: File) => f.name.toLowerCase();

/**
 * The circuit_sparsity files among `files`, or null when they are not such a model. A .pt checkpoint, or a
 * .safetensors with a beeg_config.json (a JSON object with d_model), makes one; a .pt without its config is
 * an error that says what is missing.
 */
export async function findCspFiles(files: File[]): Promise<CspFileSet | null> {
  const isPt = (f: File) => lower(f).endsWith('.pt') || lower(f).endsWith('.pth');
  const viz = files.find((f) => isPt(f) && lower(f).startsWith('viz'));
  const pt = files.find((f) => isPt(f) && f !== viz);
  const st = files.find((f) => lower(f).endsWith('.safetensors'));
  const encoder = files.find((f) => lower(f) === 'encoder.json');
  const vocabBpe = files.find((f) => lower(f).endsWith('.bpe'));
  let config = files.find((f) => lower(f).endsWith('beeg_config.json'));
  if (!config) {
    for (const f of files) {
      if (!lower(f).endsWith('.json') || f === encoder || f.size > 1e6) continue;
      try {
        const json: unknown = JSON.parse(await f.text());
        if (typeof json === 'object' && json !== null && 'd_model' in json) config = f;
      } catch {
        // not JSON: not a config
      }
    }
  }
  const model = pt ?? (config ? st : undefined);
  if (!model) {
    if (viz)
      throw new Error(
        `${viz.name} holds circuits: drop it together with its final_model.pt and beeg_config.json`,
      );
    return null;
  }
  if (!config)
    throw new Error(`${model.name} is a PyTorch checkpoint: drop its beeg_config.json together with it`);
  return { model, config, encoder, vocabBpe, viz };
}

export interface LoadedCsp {
  dense: Gpt2Weights;
  sparse: Gpt2Weights;
  tokenizer: Tokenizer;
  /** The architecture options found, one per line, and loader warnings. */
  notes: string[];
  /** The circuit of a dropped viz_data.pt, checked against this model, or why it could not be used. */
  given?: { circuit: VizCircuit } | { error: string };
}

export async function loadCspFiles(files: CspFileSet, progress: WorkloadProgress): Promise<LoadedCsp> {
  progress(0.05, `reading ${files.model.name}`);
  const [bytes, configText] = await Promise.all([
    files.model.arrayBuffer().then((b) => new Uint8Array(b)),
    files.config.text(),
  ]);
  await nextTask();
  progress(0.3, 'decoding tensors');
  const { weights, warnings } = loadCircuitSparsity(
    readCheckpoint(bytes, files.model.name),
    configText,
    files.config.name,
  );
  await nextTask();
  progress(0.5, 'CSR of the stored nonzeros');
  const { dense, sparse } = circuitSparsityPair(weights);
  const { vocabSize, dModel, nHead, arch } = weights.config;
  let tokenizer: Tokenizer = tokenIdTokenizer(vocabSize);
  if (files.encoder && files.vocabBpe) {
    tokenizer = bpeTokenizer(await files.encoder.text(), await files.vocabBpe.text(), {
      name: 'tinypython_2k',
      pattern: TINYPYTHON_PATTERN,
      special: vocabSize > TINYPYTHON_EOT ? { '<|endoftext|>': TINYPYTHON_EOT } : {},
    });
  }
  const given = files.viz ? await readGivenCircuit(files.viz, weights.config) : undefined;
  return {
    dense,
    sparse,
    tokenizer,
    given,
    notes: [...(arch ? describeArch(arch, dModel, nHead) : []), ...warnings],
  };
}

/** A viz_data.pt read and checked against the model; a bad file leaves the model usable and says why. */
async function readGivenCircuit(
  file: File,
  config: Gpt2Weights['config'],
): Promise<{ circuit: VizCircuit } | { error: string }> {
  try {
    const circuit = readVizData(new Uint8Array(await file.arrayBuffer()), file.name);
    checkVizCircuit(circuit, { ...config, attnWidth: attentionWidth(config) });
    return { circuit };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}
