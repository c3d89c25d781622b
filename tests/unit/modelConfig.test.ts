import { describe, expect, it } from 'vitest';
import { ConfigError, GPT2_PRESETS, presetConfig, validateConfig } from '../../src/model/config';
import { fillNormal, initGpt2, inverseNormalCdf } from '../../src/model/init';
import { countParams, isSparse, linearsOf, weightBytes } from '../../src/model/weights';

describe('config', () => {
  it('presets validate and gpt2-small has 124,439,808 parameters (HF GPT-2 small)', () => {
    for (const name of Object.keys(GPT2_PRESETS) as (keyof typeof GPT2_PRESETS)[])
      validateConfig(presetConfig(name));
    expect(countParams(presetConfig('gpt2-small')).total).toBe(124_439_808);
  });

  it('rejects bad fields with a message naming them', () => {
    const c = presetConfig('tiny');
    expect(() => validateConfig({ ...c, nHead: 3 })).toThrow(/divisible by config.nHead/);
    expect(() => validateConfig({ ...c, dMlp: 0 })).toThrow(/config.dMlp must be a positive integer/);
    expect(() => validateConfig({ ...c, nLayer: 1.5 })).toThrow(ConfigError);
    expect(() => validateConfig({ ...c, layerNormEps: -1 })).toThrow(/layerNormEps/);
    expect(() => presetConfig('nope' as 'tiny')).toThrow(/unknown preset 'nope'/);
  });
});

describe('init', () => {
  it('normal fill has mean 0 and the asked std, and matches the normal quantiles', () => {
    const v = fillNormal(new Float32Array(200_000), 0.02, 7);
    let mean = 0;
    let sq = 0;
    for (const x of v) {
      mean += x;
      sq += x * x;
    }
    mean /= v.length;
    const std = Math.sqrt(sq / v.length - mean * mean);
    expect(Math.abs(mean)).toBeLessThan(2e-4);
    expect(std).toBeGreaterThan(0.0198);
    expect(std).toBeLessThan(0.0202);
    // Fraction beyond 2σ should be 4.55 %.
    const beyond = v.filter((x) => Math.abs(x) > 0.04).length / v.length;
    expect(beyond).toBeGreaterThan(0.043);
    expect(beyond).toBeLessThan(0.048);
    expect(inverseNormalCdf(0.975)).toBeCloseTo(1.959964, 5);
  });

  it('is deterministic per seed, structured as the config says, residual projections scaled', () => {
    const config = presetConfig('tiny');
    const a = initGpt2(config, { seed: 3 });
    const b = initGpt2(config, { seed: 3 });
    const c = initGpt2(config, { seed: 4 });
    expect(a.blocks[1].fc.w).toEqual(b.blocks[1].fc.w);
    expect(a.blocks[1].fc.w).not.toEqual(c.blocks[1].fc.w);
    expect(a.blocks).toHaveLength(2);
    const blk = a.blocks[0];
    expect([blk.qkv.n, blk.qkv.k, blk.fc.n, blk.fc.k, blk.fcProj.n, blk.fcProj.k]).toEqual([
      192, 64, 256, 64, 64, 256,
    ]);
    expect(a.wte.length).toBe(128 * 64);
    expect(a.wpe.length).toBe(64 * 64);
    expect(blk.ln1.g.every((g) => g === 1) && blk.ln1.b.every((x) => x === 0)).toBe(true);
    const rms = (w: Float32Array) => Math.sqrt(w.reduce((s, x) => s + x * x, 0) / w.length);
    expect(rms(blk.fc.w)).toBeCloseTo(0.02, 3);
    expect(rms(blk.fcProj.w)).toBeCloseTo(0.02 / Math.sqrt(4), 3);
    expect(isSparse(a)).toBe(false);
    expect([...linearsOf(a)].map(([name]) => name).slice(0, 4)).toEqual([
      'h.0.qkv',
      'h.0.attn.proj',
      'h.0.fc',
      'h.0.fc.proj',
    ]);
    expect(weightBytes(a).dense).toBe(countParams(config).total * 4);
  });
});
