// OpenAI circuit_sparsity checkpoints (final_model.pt or the same state_dict as safetensors) with their
// beeg_config.json → Gpt2Weights carrying `config.arch`, `head` and per-block sink logits. Key names and
// shapes: ../shared/data/circuit-sparsity/FORMATS.md. nn.Linear weights are already out×in. Weights are
// stored dense with the pruned entries as zeros: the sparse twin is their CSR, nothing pruned.

import {
  decodeWeight,
  parseSafetensors,
  type SafeTensor,
  type SafetensorsFile,
} from '../formats/safetensors';
import { looksLikeZip, readTorchCheckpoint } from '../formats/torchCheckpoint';
import { attentionWidth } from '../math/arch';
import { type BeegConfig, parseBeegConfig } from './beegConfig';
import { sparsifyMatrix, sparsifyModel } from './sparsify';
import type { Gpt2Block, Gpt2Weights, LayerNormParams, Linear } from './weights';

class CspLoadError extends Error {
  override name = 'CspLoadError';
}

export interface CspLoadResult {
  weights: Gpt2Weights;
  warnings: string[];
}

/** Keys a checkpoint may hold that the forward pass does not use (a flash=False causal-mask buffer). */
const IGNORED = /^transformer\.h\.\d+\.attn\.bias$/;

/**
 * True when a state_dict has circuit_sparsity's layout: nn.Linear c_attn (3A, d) under `transformer.`
 * (HF GPT-2's Conv1D c_attn is (d, 3d)).
 */
export function isCircuitSparsityFile(file: SafetensorsFile): boolean {
  const wte = file.tensors.get('transformer.wte.weight')?.shape;
  const qkv = file.tensors.get('transformer.h.0.attn.c_attn.weight')?.shape;
  return !!wte && !!qkv && wte.length === 2 && qkv.length === 2 && qkv[1] === wte[1] && qkv[0] !== wte[1];
}

/** Read a checkpoint's bytes: a torch.save zip (.pt) or safetensors, told apart by the first bytes. */
export function readCheckpoint(bytes: Uint8Array, fileName: string): SafetensorsFile {
  return looksLikeZip(bytes) ? readTorchCheckpoint(bytes, fileName) : parseSafetensors(bytes, fileName);
}

export function loadCircuitSparsity(
  file: SafetensorsFile,
  configJson: string | Record<string, unknown> | BeegConfig,
  configName = 'beeg_config.json',
): CspLoadResult {
  const beeg: BeegConfig =
    typeof configJson === 'object' && 'lnBias' in configJson
      ? (configJson as BeegConfig)
      : parseBeegConfig(configJson as string | Record<string, unknown>, configName);
  const { config, bias, lnBias } = beeg;
  const arch = config.arch;
  if (!arch) throw new CspLoadError(`${configName}: not a circuit_sparsity config`);
  const fileName = file.fileName;
  const warnings: string[] = [];
  const used = new Set<string>();
  const { dModel: d, dMlp: m, nLayer, nCtx, vocabSize: V, nHead } = config;
  const A = attentionWidth(config);

  const read = (name: string, shape: number[]): Float32Array => {
    used.add(name);
    const t = file.tensors.get(name);
    if (!t)
      throw new CspLoadError(
        `${fileName}: missing tensor '${name}' (shape [${shape}]) that ${configName} implies`,
      );
    return checked(t, shape, fileName);
  };
  const zeros = (n: number) => new Float32Array(n);
  const norm = (prefix: string): LayerNormParams => ({
    g: read(`${prefix}.weight`, [d]),
    b: lnBias ? read(`${prefix}.bias`, [d]) : zeros(d),
  });
  const linear = (prefix: string, n: number, k: number): Linear => ({
    w: read(`${prefix}.weight`, [n, k]),
    b: bias ? read(`${prefix}.bias`, [n]) : zeros(n),
    n,
    k,
  });

  const wte = read('transformer.wte.weight', [V, d]);
  const wpe = read('transformer.wpe.weight', [nCtx, d]);
  const blocks: Gpt2Block[] = [];
  for (let i = 0; i < nLayer; i++) {
    const p = `transformer.h.${i}`;
    const blk: Gpt2Block = {
      ln1: norm(`${p}.ln_1`),
      qkv: linear(`${p}.attn.c_attn`, 3 * A, d),
      attnProj: linear(`${p}.attn.c_proj`, d, A),
      ln2: norm(`${p}.ln_2`),
      fc: linear(`${p}.mlp.c_fc`, m, d),
      fcProj: linear(`${p}.mlp.c_proj`, d, m),
    };
    if (arch.sink) blk.sinkLogit = read(`${p}.attn.attn_imp.sink_logit`, [nHead]);
    blocks.push(blk);
  }
  const lnf = norm('transformer.ln_f');
  let lmHead = wte;
  if (!arch.tiedUnembed) lmHead = read('lm_head.weight', [V, d]);
  else used.add('lm_head.weight');
  let logitBias: Float32Array = zeros(V);
  if (file.tensors.has('final_logits_bias')) logitBias = read('final_logits_bias', [V]);
  else warnings.push('no final_logits_bias in the checkpoint: zeros (as the released loader does)');
  const bigram = arch.bigram ? read('bigram_table', [V, V]) : null;

  const unknown = [...file.tensors.keys()].filter((k) => !used.has(k) && !IGNORED.test(k));
  if (unknown.length > 0)
    warnings.push(
      `ignored ${unknown.length} tensor(s) the forward pass does not use: ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ', …' : ''}`,
    );
  const weights: Gpt2Weights = {
    config,
    wte,
    wpe,
    blocks,
    lnf,
    head: { w: lmHead, bias: logitBias, bigram },
  };
  return { weights, warnings };
}

function checked(t: SafeTensor, shape: number[], fileName: string): Float32Array {
  return decodeWeight(t, shape, fileName, (message) => new CspLoadError(message));
}

/**
 * The dense network (stored zeros multiplied densely) and its sparse twin: the same weights, every Linear
 * and the unembedding as CSR of their nonzeros ('exact': nothing pruned). Embeddings stay dense lookups.
 */
export function circuitSparsityPair(dense: Gpt2Weights): { dense: Gpt2Weights; sparse: Gpt2Weights } {
  const sparse = sparsifyModel(dense, { density: 'exact' });
  const head = dense.head;
  if (head) {
    const { vocabSize, dModel } = dense.config;
    const un = sparsifyMatrix(head.w, vocabSize, dModel, { density: 'exact', name: 'lm_head' });
    sparse.head = { ...head, csr: un.csr };
    sparse.sparsity?.matrices.push(un.stats);
  }
  return { dense, sparse };
}
