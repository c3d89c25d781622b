// Hugging Face GPT-2 checkpoints (model.safetensors) → Gpt2Weights.
// Keys with or without the `transformer.` prefix; Conv1D weights are stored in×out and transposed once
// to the project's out×in; `lm_head.weight` is tied to wte (ignored, with a warning if it differs);
// the causal-mask buffers `h.{i}.attn.bias` / `h.{i}.attn.masked_bias` are ignored. F32, F16 and BF16.

import {
  decodeTensor,
  decodeWeight,
  parseSafetensors,
  type SafeTensor,
  type SafetensorsFile,
} from '../formats/safetensors';
import { type Gpt2Config, validateConfig } from './config';
import type { Gpt2Block, Gpt2Weights, LayerNormParams, Linear } from './weights';

export class HfLoadError extends Error {
  override name = 'HfLoadError';
}

/** The fields of HF's config.json that matter here. */
export interface HfGpt2ConfigJson {
  n_layer?: number;
  n_head?: number;
  n_embd?: number;
  n_inner?: number | null;
  n_positions?: number;
  n_ctx?: number;
  vocab_size?: number;
  layer_norm_epsilon?: number;
  model_type?: string;
}

export interface HfLoadOptions {
  fileName?: string;
  /** config.json text or parsed object; without it the shape is inferred and n_head defaults to d/64. */
  configJson?: string | HfGpt2ConfigJson;
  /** Called as tensors are decoded: fraction in [0, 1] and the tensor just done. */
  onProgress?: (fraction: number, tensor: string) => void;
}

export interface HfLoadResult {
  weights: Gpt2Weights;
  /** Things the user should know (assumed n_head, ignored keys, untied lm_head). */
  warnings: string[];
}

const IGNORED = /^(h\.\d+\.attn\.(bias|masked_bias)|lm_head\.weight)$/;

function parseConfigJson(
  json: string | HfGpt2ConfigJson | undefined,
  fileName: string,
): HfGpt2ConfigJson | undefined {
  if (json === undefined) return undefined;
  if (typeof json !== 'string') return json;
  try {
    const parsed: unknown = JSON.parse(json);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new Error(
        `got ${Array.isArray(parsed) ? 'an array' : parsed === null ? 'null' : `a ${typeof parsed}`}`,
      );
    }
    return parsed as HfGpt2ConfigJson; // fields are checked one by one by validateConfig below
  } catch (e) {
    throw new HfLoadError(`${fileName}: config.json is not a JSON object (${(e as Error).message})`);
  }
}

/** Parse a safetensors file and build the weights (see loadHfGpt2Tensors). */
export function loadHfGpt2(bytes: Uint8Array, options: HfLoadOptions = {}): HfLoadResult {
  const fileName = options.fileName ?? 'model.safetensors';
  return loadHfGpt2Tensors(parseSafetensors(bytes, fileName), options);
}

function loadHfGpt2Tensors(file: SafetensorsFile, options: HfLoadOptions = {}): HfLoadResult {
  const fileName = file.fileName;
  const warnings: string[] = [];
  // Strip `transformer.` where present; both spellings of one tensor are an error.
  const byName = new Map<string, SafeTensor>();
  for (const [key, t] of file.tensors) {
    const name = key.startsWith('transformer.') ? key.slice('transformer.'.length) : key;
    if (byName.has(name))
      throw new HfLoadError(`${fileName}: tensor '${name}' appears twice (with and without 'transformer.')`);
    byName.set(name, t);
  }
  const get = (name: string): SafeTensor => {
    const t = byName.get(name);
    if (!t) throw new HfLoadError(`${fileName}: missing tensor '${name}'`);
    return t;
  };
  const config = resolveConfig(
    byName,
    get,
    parseConfigJson(options.configJson, fileName),
    fileName,
    warnings,
  );
  const { dModel: d, dMlp: m, nLayer, nCtx, vocabSize } = config;

  const expected = new Set<string>(['wte.weight', 'wpe.weight', 'ln_f.weight', 'ln_f.bias']);
  const total = 4 + nLayer * 12;
  let done = 0;
  const read = (name: string, shape: number[]): Float32Array => {
    expected.add(name);
    const data = decodeWeight(get(name), shape, fileName, (message) => new HfLoadError(message), name);
    options.onProgress?.(++done / total, name);
    return data;
  };
  const norm = (prefix: string): LayerNormParams => ({
    g: read(`${prefix}.weight`, [d]),
    b: read(`${prefix}.bias`, [d]),
  });
  // Conv1D: weight (in, out) → Linear w (out, in).
  const conv = (prefix: string, kIn: number, nOut: number): Linear => {
    const wt = read(`${prefix}.weight`, [kIn, nOut]);
    return { w: transpose(wt, kIn, nOut), b: read(`${prefix}.bias`, [nOut]), n: nOut, k: kIn };
  };

  const wte = read('wte.weight', [vocabSize, d]);
  const wpe = read('wpe.weight', [nCtx, d]);
  const blocks: Gpt2Block[] = [];
  for (let i = 0; i < nLayer; i++) {
    const p = `h.${i}`;
    blocks.push({
      ln1: norm(`${p}.ln_1`),
      qkv: conv(`${p}.attn.c_attn`, d, 3 * d),
      attnProj: conv(`${p}.attn.c_proj`, d, d),
      ln2: norm(`${p}.ln_2`),
      fc: conv(`${p}.mlp.c_fc`, d, m),
      fcProj: conv(`${p}.mlp.c_proj`, m, d),
    });
  }
  const lnf = norm('ln_f');

  const lmHead = byName.get('lm_head.weight');
  if (lmHead && !sameValues(lmHead, wte))
    warnings.push(`lm_head.weight differs from wte.weight; using the tied wte (GPT-2 ties them)`);
  const unknown = [...byName.keys()].filter((k) => !expected.has(k) && !IGNORED.test(k));
  if (unknown.length > 0) {
    warnings.push(
      `ignored ${unknown.length} unexpected tensor(s): ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ', …' : ''}`,
    );
  }
  return { weights: { config, wte, wpe, blocks, lnf }, warnings };
}

function transpose(src: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = src[base + c];
  }
  return out;
}

function sameValues(t: SafeTensor, wte: Float32Array): boolean {
  if (t.shape.length !== 2 || t.shape[0] * t.shape[1] !== wte.length) return false;
  const v = decodeTensor(t);
  for (let i = 0; i < v.length; i++) if (v[i] !== wte[i]) return false;
  return true;
}

/** Config from config.json where given, checked against (and otherwise inferred from) the tensor shapes. */
function resolveConfig(
  byName: Map<string, SafeTensor>,
  get: (name: string) => SafeTensor,
  json: HfGpt2ConfigJson | undefined,
  fileName: string,
  warnings: string[],
): Gpt2Config {
  const wte = get('wte.weight').shape;
  const wpe = get('wpe.weight').shape;
  if (wte.length !== 2)
    throw new HfLoadError(`${fileName}: tensor 'wte.weight' has shape [${wte}], expected [vocab, d]`);
  if (wpe.length !== 2)
    throw new HfLoadError(`${fileName}: tensor 'wpe.weight' has shape [${wpe}], expected [n_positions, d]`);
  let layers = 0;
  while (byName.has(`h.${layers}.ln_1.weight`)) layers++;
  const fc = byName.get('h.0.mlp.c_fc.weight')?.shape;
  const d = json?.n_embd ?? wte[1];
  let nHead = json?.n_head;
  if (json && nHead === undefined) {
    // A config that is present but cannot give the head count is an error, not a guess.
    throw new HfLoadError(`${fileName}: config.json has no "n_head" (the head count cannot be inferred)`);
  }
  if (nHead === undefined) {
    if (d % 64 !== 0)
      throw new HfLoadError(
        `${fileName}: no config.json and d = ${d} is not a multiple of 64; pass config.json to give n_head`,
      );
    nHead = d / 64;
    warnings.push(`no config.json: assumed n_head = d/64 = ${nHead} (heads cannot be inferred from shapes)`);
  }
  const config: Gpt2Config = {
    nLayer: json?.n_layer ?? layers,
    nHead,
    dModel: d,
    dMlp: json?.n_inner ?? (fc && fc.length === 2 ? fc[1] : 4 * d),
    nCtx: json?.n_positions ?? json?.n_ctx ?? wpe[0],
    vocabSize: json?.vocab_size ?? wte[0],
    layerNormEps: json?.layer_norm_epsilon ?? 1e-5,
  };
  try {
    validateConfig(config);
  } catch (e) {
    throw new HfLoadError(`${fileName}: ${(e as Error).message}`);
  }
  if (config.nLayer > layers)
    throw new HfLoadError(
      `${fileName}: config has ${config.nLayer} layers, missing tensor 'h.${layers}.ln_1.weight'`,
    );
  if (config.nLayer < layers)
    warnings.push(`config has ${config.nLayer} layers but the file holds ${layers}; extra layers ignored`);
  return config;
}
