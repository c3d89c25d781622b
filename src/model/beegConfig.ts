// circuit_sparsity's beeg_config.json (`json.dump(asdict(GPTConfig))` plus legacy training keys) →
// Gpt2Config with `arch`. Unknown keys are ignored (as the released loader must), `n_mlp` is `d_mlp`,
// a missing `sink` is false. Options that change the math but are not implemented (cat_pos_emb) are
// refused with a message that says so.

import { ABSTOPK_LOCATIONS, type AbsTopKLocation, RMS_NORM_EPS } from '../math/arch';
import { ConfigError, type Gpt2Config, validateConfig } from './config';

const DEFAULT_LOCTYPES = 'attn_in,attn_out,mlp_in,mlp_out';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export interface BeegConfig {
  config: Gpt2Config;
  /** nn.Linear layers (except lm_head) have biases. */
  bias: boolean;
  /** LayerNorm has a bias (ignored with RMSNorm). */
  lnBias: boolean;
}

export function parseBeegConfig(
  json: string | Record<string, unknown>,
  fileName = 'beeg_config.json',
): BeegConfig {
  let raw: unknown = json;
  if (typeof json === 'string') {
    try {
      raw = JSON.parse(json);
    } catch (e) {
      throw new ConfigError(`${fileName}: not valid JSON (${(e as Error).message})`);
    }
  }
  if (!isRecord(raw)) throw new ConfigError(`${fileName}: not a JSON object`);
  const c = raw;
  const fail = (message: string): never => {
    throw new ConfigError(`${fileName}: ${message}`);
  };
  const int = (key: string, fallback?: number): number => {
    const v = c[key] ?? fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1)
      return fail(`${key} must be a positive integer, got ${JSON.stringify(v)}`);
    return v;
  };
  const bool = (key: string, fallback: boolean): boolean => {
    const v = c[key] ?? fallback;
    if (typeof v !== 'boolean') return fail(`${key} must be true or false, got ${JSON.stringify(v)}`);
    return v;
  };
  const choice = <T extends string>(key: string, choices: readonly T[], fallback: T): T => {
    const v = c[key] ?? fallback;
    if (typeof v !== 'string' || !(choices as readonly string[]).includes(v))
      return fail(`${key} must be one of ${choices.join(', ')}, got ${JSON.stringify(v)}`);
    return v as T;
  };

  if (c.d_pos_emb !== undefined && c.d_pos_emb !== null)
    fail('d_pos_emb is set (the concatenated-position-embedding variant), which is not supported');
  const dModel = int('d_model', 768);
  const nHead = int('n_head', 12);
  if (dModel % nHead !== 0) fail(`d_model ${dModel} is not divisible by n_head ${nHead}`);
  const dMlp = int(c.d_mlp !== undefined && c.d_mlp !== null ? 'd_mlp' : 'n_mlp', 4 * dModel);
  const dHead = c.d_head === null || c.d_head === undefined ? dModel / nHead : int('d_head');
  const rms = bool('rms_norm', false);
  const activation = choice('activation_type', ['gelu', 'relu'] as const, 'gelu');
  const residual = choice('residual_activation_type', ['identity', 'relu'] as const, 'identity');
  let afrac: number | null = null;
  if (c.afrac !== undefined && c.afrac !== null) {
    if (typeof c.afrac !== 'number' || !(c.afrac > 0 && c.afrac <= 1))
      fail(`afrac must be in (0, 1], got ${JSON.stringify(c.afrac)}`);
    afrac = c.afrac as number;
  }
  const loctypes = c.afrac_loctypes ?? DEFAULT_LOCTYPES;
  if (typeof loctypes !== 'string') fail('afrac_loctypes must be a comma-separated string');
  const afracLocations: AbsTopKLocation[] = [];
  for (const part of (loctypes as string)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (!(ABSTOPK_LOCATIONS as readonly string[]).includes(part))
      fail(`afrac_loctypes: unknown location '${part}' (known: ${ABSTOPK_LOCATIONS.join(', ')})`);
    afracLocations.push(part as AbsTopKLocation);
  }
  const config: Gpt2Config = {
    nLayer: int('n_layer', 12),
    nHead,
    dModel,
    dMlp,
    nCtx: int('block_size', 1024),
    vocabSize: int('vocab_size', 50304),
    layerNormEps: rms ? RMS_NORM_EPS : 1e-5,
    arch: {
      family: 'circuit-sparsity',
      norm: rms ? 'rmsnorm' : 'layernorm',
      activation: activation === 'gelu' ? 'gelu-erf' : 'relu',
      residualRelu: residual === 'relu',
      dHead,
      tiedUnembed: bool('tied_unembed', true),
      bigram: bool('enable_bigram_table', false),
      sink: bool('sink', false),
      afrac,
      afracLocations: afrac === null ? [] : afracLocations,
    },
  };
  try {
    validateConfig(config);
  } catch (e) {
    fail((e as Error).message);
  }
  return { config, bias: bool('bias', true), lnBias: !rms && bool('ln_bias', true) };
}
