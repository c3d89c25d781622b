// GPT-2 hyperparameters and the presets the app opens with synthetic weights.

import type { Gpt2Config } from '../math/gpt2Types';

export type { Gpt2Config } from '../math/gpt2Types';

export type Gpt2PresetName = 'gpt2-small' | 'tiny' | 'test';

export const GPT2_PRESETS: Readonly<Record<Gpt2PresetName, Readonly<Gpt2Config>>> = {
  // The real GPT-2 small shape: 124M parameters, for honest timings.
  'gpt2-small': {
    nLayer: 12,
    nHead: 12,
    dModel: 768,
    dMlp: 3072,
    nCtx: 1024,
    vocabSize: 50257,
    layerNormEps: 1e-5,
  },
  // Small enough to draw every neuron and run in unit tests.
  tiny: { nLayer: 2, nHead: 4, dModel: 64, dMlp: 256, nCtx: 64, vocabSize: 128, layerNormEps: 1e-5 },
  // Smallest useful shape: odd sizes so that nothing silently depends on multiples of 4 or 16.
  test: { nLayer: 2, nHead: 2, dModel: 12, dMlp: 20, nCtx: 16, vocabSize: 23, layerNormEps: 1e-5 },
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** A fresh copy of a preset (callers may mutate it). */
export function presetConfig(name: Gpt2PresetName): Gpt2Config {
  const preset = GPT2_PRESETS[name];
  if (!preset) {
    throw new ConfigError(`unknown preset '${name}'; known: ${Object.keys(GPT2_PRESETS).join(', ')}`);
  }
  return { ...preset };
}

export function isPresetName(name: string): name is Gpt2PresetName {
  return Object.hasOwn(GPT2_PRESETS, name);
}

/** Throws a ConfigError naming the first field that is wrong; returns the config for chaining. */
export function validateConfig(config: Gpt2Config): Gpt2Config {
  const positive: (keyof Gpt2Config)[] = ['nLayer', 'nHead', 'dModel', 'dMlp', 'nCtx', 'vocabSize'];
  for (const key of positive) {
    const v = config[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
      throw new ConfigError(`config.${key} must be a positive integer, got ${String(v)}`);
    }
  }
  if (config.dModel % config.nHead !== 0) {
    throw new ConfigError(
      `config.dModel (${config.dModel}) must be divisible by config.nHead (${config.nHead})`,
    );
  }
  const eps = config.layerNormEps;
  if (typeof eps !== 'number' || !Number.isFinite(eps) || eps <= 0) {
    throw new ConfigError(`config.layerNormEps must be a positive finite number, got ${String(eps)}`);
  }
  // Typed arrays hold at most 2^32 - 1 elements in some engines; the largest matrix is wte or fc.
  const largest = Math.max(config.vocabSize * config.dModel, config.dMlp * config.dModel);
  if (largest > 2 ** 31 - 1) {
    throw new ConfigError(`config gives a matrix of ${largest} values, more than a typed array holds`);
  }
  return config;
}
