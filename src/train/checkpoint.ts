// Trained weights → a Hugging Face GPT-2 checkpoint (model.safetensors layout + config.json), the format
// src/model/hfGpt2.ts loads. Keys without the `transformer.` prefix; Conv1D weights stored in×out (the
// transpose of the project's out×in `w`); lm_head omitted (tied to wte). Zeros are stored as zeros, so a
// sparse model's pattern survives exactly: sparsifyModel(loaded, { density: 'exact' }) recovers it.

import { encodeF16 } from '../formats/half';
import { type WritableTensor, writeSafetensors } from '../formats/safetensors';
import type { Gpt2Config } from '../model/config';
import type { HfGpt2ConfigJson } from '../model/hfGpt2';
import type { Gpt2Weights, LayerNormParams, Linear } from '../model/weights';
import { transposeInto } from './floats';

export type CheckpointDtype = 'F32' | 'F16';

/** HF config.json fields for a config (n_ctx repeated for old readers). */
export function hfConfigJson(config: Gpt2Config): HfGpt2ConfigJson & Record<string, unknown> {
  return {
    model_type: 'gpt2',
    architectures: ['GPT2LMHeadModel'],
    n_layer: config.nLayer,
    n_head: config.nHead,
    n_embd: config.dModel,
    n_inner: config.dMlp,
    n_positions: config.nCtx,
    n_ctx: config.nCtx,
    vocab_size: config.vocabSize,
    layer_norm_epsilon: config.layerNormEps,
    activation_function: 'gelu_new',
    tie_word_embeddings: true,
  };
}

/** Serialize `weights` as an HF GPT-2 safetensors file; F16 halves the size (check accuracy holds). */
export function toHfSafetensors(
  weights: Gpt2Weights,
  dtype: CheckpointDtype = 'F32',
  metadata: Record<string, string> = {},
): Uint8Array {
  const { dModel: d, vocabSize, nCtx } = weights.config;
  const tensors: Record<string, WritableTensor> = {};
  const put = (name: string, shape: number[], data: Float32Array) => {
    tensors[name] =
      dtype === 'F16' ? { dtype, shape, data: encodeF16(data) } : { dtype, shape, data: data.slice() };
  };
  const norm = (prefix: string, ln: LayerNormParams) => {
    put(`${prefix}.weight`, [d], ln.g);
    put(`${prefix}.bias`, [d], ln.b);
  };
  // Linear w (out n, in k) → Conv1D weight (in k, out n).
  const conv = (prefix: string, lin: Linear) => {
    put(
      `${prefix}.weight`,
      [lin.k, lin.n],
      transposeInto(lin.w, lin.n, lin.k, new Float32Array(lin.w.length)),
    );
    put(`${prefix}.bias`, [lin.n], lin.b);
  };
  put('wte.weight', [vocabSize, d], weights.wte);
  put('wpe.weight', [nCtx, d], weights.wpe);
  weights.blocks.forEach((blk, i) => {
    const p = `h.${i}`;
    norm(`${p}.ln_1`, blk.ln1);
    conv(`${p}.attn.c_attn`, blk.qkv);
    conv(`${p}.attn.c_proj`, blk.attnProj);
    norm(`${p}.ln_2`, blk.ln2);
    conv(`${p}.mlp.c_fc`, blk.fc);
    conv(`${p}.mlp.c_proj`, blk.fcProj);
  });
  norm('ln_f', weights.lnf);
  return writeSafetensors(tensors, { format: 'pt', ...metadata });
}
