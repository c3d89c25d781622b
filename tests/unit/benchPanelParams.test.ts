import { describe, expect, it } from 'vitest';
import { GPT2_SMALL_SHAPES, sweepSize } from '../../src/bench/kernelSweep';
import {
  BenchParamError,
  DEFAULT_SETTINGS,
  formatDensity,
  parseBatches,
  parseDensities,
  parseFraction,
  parseShapes,
  settingsFromParams,
  settingsToParams,
  toSweepConfig,
} from '../../src/ui/bench/params';

const q = (s: string) => new URLSearchParams(s);

/** The error a call throws, so a test can check both its type and its words. */
function thrown(fn: () => unknown): BenchParamError {
  try {
    fn();
  } catch (err) {
    if (err instanceof BenchParamError) return err;
    throw err;
  }
  throw new Error('expected a BenchParamError');
}

describe('URL parameters → SweepConfig', () => {
  it('parses the documented automation URL', () => {
    const s = settingsFromParams(
      q('bench=auto&shapes=768x768&densities=1,1/64&batches=1,8&samples=3&backend=webgpu'),
    );
    const c = toSweepConfig(s);
    expect(c.shapes).toEqual([{ n: 768, k: 768 }]);
    expect(c.densities).toEqual([1, 1 / 64]);
    expect(c.batches).toEqual([1, 8]);
    expect(c.timing?.samples).toBe(3);
    expect(s.backend).toBe('webgpu');
    expect(sweepSize(c)).toBe(1 * 2 * 3);
  });

  it('keeps defaults for absent parameters and ignores the app’s own parameters', () => {
    const s = settingsFromParams(q('model=tiny&prompt=hi&bench=auto'));
    expect(s).toEqual(DEFAULT_SETTINGS);
    const c = toSweepConfig(s);
    expect(c.shapes).toBe(GPT2_SMALL_SHAPES);
    expect(c.naive).toBe(false);
  });

  it('accepts fractions, decimals and exponents, drops duplicates, keeps order', () => {
    expect(parseDensities('1, 1/4 ,0.25, 1e-3')).toEqual([1, 0.25, 0.001]);
    expect(parseFraction('3/4')).toBe(0.75);
    expect(Number.isNaN(parseFraction('a/4'))).toBe(true);
    expect(parseBatches('64 1 8 1')).toEqual([64, 1, 8]);
    expect(parseShapes('3072x768, 768×3072, 3072X768')).toEqual([
      { n: 3072, k: 768 },
      { n: 768, k: 3072 },
    ]);
  });

  it('names the parameter and the bad value in every error', () => {
    expect(thrown(() => parseDensities('1,2')).message).toBe('densities: 2 is outside (0, 1]');
    expect(thrown(() => parseDensities('0')).message).toBe('densities: 0 is outside (0, 1]');
    expect(thrown(() => parseDensities('half')).message).toContain('"half" is not a number');
    expect(thrown(() => parseDensities('')).param).toBe('densities');
    expect(thrown(() => parseBatches('1,0')).message).toContain('batches: "0" is not a whole number');
    expect(thrown(() => parseBatches('2.5')).param).toBe('batches');
    expect(thrown(() => parseShapes('768')).message).toBe('shapes: "768" is not N×K (out×in), e.g. 3072x768');
    expect(thrown(() => parseShapes('0x5')).message).toContain('each side must be from 1');
    expect(thrown(() => settingsFromParams(q('backend=metal'))).message).toBe(
      'backend: "metal" is not one of auto, webgpu, cpu',
    );
    expect(thrown(() => settingsFromParams(q('samples=0'))).param).toBe('samples');
    expect(thrown(() => settingsFromParams(q('samples=3.5'))).param).toBe('samples');
  });

  it('uses the model provider for shapes=model, and says so when there is none', () => {
    const model = { name: 'tiny', shapes: [{ n: 64, k: 32, label: 'h0.fc' }], densities: [1 / 64] };
    expect(parseShapes('model', model)).toEqual(model.shapes);
    const repeated = { ...model, shapes: [...model.shapes, { n: 64, k: 32, label: 'h1.fc' }] };
    expect(parseShapes('model', repeated)).toEqual(model.shapes); // one N×K measured once
    expect(thrown(() => parseShapes('model', null)).message).toContain('needs a loaded model');
  });

  it('refuses sweeps too large for one run', () => {
    const s = {
      ...DEFAULT_SETTINGS,
      shapes: '8x8',
      batches: Array.from({ length: 60 }, (_, i) => i + 1).join(','),
    };
    s.densities = Array.from({ length: 40 }, (_, i) => `1/${i + 1}`).join(',');
    expect(thrown(() => toSweepConfig(s)).message).toContain('too many');
  });

  it('round-trips settings through the URL', () => {
    const s = { ...DEFAULT_SETTINGS, shapes: '256x128', densities: '1, 1/16', batches: '1, 4', samples: 3 };
    const p = settingsToParams(s);
    expect(p.get('bench')).toBe('auto');
    expect(p.get('densities')).toBe('1,1/16');
    expect(settingsFromParams(p)).toEqual({ ...s, densities: '1,1/16', batches: '1,4' });
  });

  it('formats densities the way people write them', () => {
    expect([1, 0.25, 1 / 64, 1 / 1024, 0.3, 0.015].map(formatDensity)).toEqual([
      '1',
      '1/4',
      '1/64',
      '1/1024',
      '0.3',
      '0.015',
    ]);
  });
});
