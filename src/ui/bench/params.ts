// Sweep settings as the panel's form and the URL hold them (plain strings), and their parsing into a
// SweepConfig with errors that name the parameter and the bad value. Pure: shared by the panel, the URL
// automation (?bench=auto&shapes=768x768&densities=1,1/64&batches=1,8&samples=3&backend=webgpu) and
// scripts/bench-browser.ts.
import { GPT2_SMALL_SHAPES, type Shape, type SweepConfig } from '../../bench/kernelSweep';
import { LIMITS } from '../../params/limits';
import { parseWhole } from '../../params/values';

export type BackendChoice = 'auto' | 'webgpu' | 'cpu';
export const BACKENDS: readonly BackendChoice[] = ['auto', 'webgpu', 'cpu'];

export interface BenchSettings {
  /** 'gpt2' (GPT-2 small's four layer shapes), 'model' (the loaded model's layers) or "NxK,NxK" (out×in). */
  shapes: string;
  /** Comma-separated densities in (0, 1]: decimals or fractions ("1, 1/4, 0.01"). */
  densities: string;
  /** Comma-separated batch sizes (rows of x). */
  batches: string;
  backend: BackendChoice;
  samples: number;
  /** Also time the naive dense kernel (the baseline the tuned dense kernels must beat). */
  naive: boolean;
  seed: number;
}

/** The loaded model's linear layers, offered by the app through mountBenchPanel's provider. */
export interface ModelLayers {
  name: string;
  shapes: Shape[];
  /** The densities the model's sparse twin actually has (used by "benchmark this model"). */
  densities?: number[];
}

/** Finishes in well under a minute on a laptop GPU: 4 shapes × 3 batches × (5 densities + dense). */
export const DEFAULT_SETTINGS: BenchSettings = {
  shapes: 'gpt2',
  densities: '1, 1/4, 1/16, 1/64, 1/256',
  batches: '1, 8, 64',
  backend: 'auto',
  samples: 9,
  naive: false,
  seed: 1,
};
/** The same limits as the CLI's (src/params/limits.ts). */

/** A bad setting; `param` is the URL parameter / form field it came from. */
export class BenchParamError extends Error {
  constructor(
    readonly param: string,
    message: string,
  ) {
    super(`${param}: ${message}`);
    this.name = 'BenchParamError';
  }
}

function listItems(spec: string): string[] {
  return spec
    .split(/[,\s]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** "1/64" → 0.015625, "0.25" → 0.25, "1e-3" → 0.001; NaN when it is neither. */
export function parseFraction(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*\/\s*(\d+(?:\.\d+)?)$/.exec(text);
  if (m) return Number(m[1]) / Number(m[2]);
  return /^[0-9.eE+-]+$/.test(text) ? Number(text) : Number.NaN;
}

export function parseDensities(spec: string): number[] {
  const items = listItems(spec);
  if (items.length === 0) throw new BenchParamError('densities', 'give at least one density, e.g. 1,1/64');
  const out: number[] = [];
  for (const item of items) {
    const d = parseFraction(item);
    if (!Number.isFinite(d))
      throw new BenchParamError('densities', `"${item}" is not a number or a fraction`);
    if (!(d > 0 && d <= 1)) throw new BenchParamError('densities', `${item} is outside (0, 1]`);
    if (!out.includes(d)) out.push(d);
  }
  return out;
}

export function parseBatches(spec: string): number[] {
  const items = listItems(spec);
  if (items.length === 0) throw new BenchParamError('batches', 'give at least one batch size, e.g. 1,8');
  const out: number[] = [];
  for (const item of items) {
    const b = wholeNumber('batches', item, 1, LIMITS.batch);
    if (!out.includes(b)) out.push(b);
  }
  return out;
}

export function parseShapes(spec: string, model?: ModelLayers | null): Shape[] {
  const trimmed = spec.trim();
  if (trimmed === '' || trimmed === 'gpt2') return GPT2_SMALL_SHAPES;
  if (trimmed === 'model') {
    if (!model || model.shapes.length === 0) {
      throw new BenchParamError('shapes', '"model" needs a loaded model that exposes its layers; none does');
    }
    return uniqueShapes(model.shapes); // layers repeat (12 blocks of the same four shapes)
  }
  const shapes = listItems(trimmed).map((item) => {
    const m = /^(\d+)[x×*](\d+)$/i.exec(item);
    if (!m) throw new BenchParamError('shapes', `"${item}" is not N×K (out×in), e.g. 3072x768`);
    const n = Number(m[1]);
    const k = Number(m[2]);
    for (const side of [n, k]) {
      if (side < 1 || side > LIMITS.side) {
        throw new BenchParamError('shapes', `"${item}": each side must be from 1 to ${LIMITS.side}`);
      }
    }
    return { n, k };
  });
  return uniqueShapes(shapes);
}

/** Each N×K once: speedups pair a CSR record with the dense record of the same N, K and batch. */
function uniqueShapes(shapes: Shape[]): Shape[] {
  return shapes.filter((s, i) => shapes.findIndex((t) => t.n === s.n && t.k === s.k) === i);
}

/** The shared validator's whole number, as a BenchParamError naming the parameter. */
function wholeNumber(param: string, text: string, min: number, max: number): number {
  try {
    return parseWhole(text, min, max);
  } catch (err) {
    throw new BenchParamError(param, (err as Error).message);
  }
}

/** Settings from URL parameters over `base`; unknown parameters are ignored (the app has its own). */
export function settingsFromParams(params: URLSearchParams, base = DEFAULT_SETTINGS): BenchSettings {
  const s: BenchSettings = { ...base };
  const text = (name: string) => params.get(name) ?? undefined;
  const shapes = text('shapes');
  if (shapes !== undefined) s.shapes = shapes;
  const densities = text('densities');
  if (densities !== undefined) s.densities = densities;
  const batches = text('batches');
  if (batches !== undefined) s.batches = batches;
  const backend = text('backend');
  if (backend !== undefined) {
    if (!BACKENDS.includes(backend as BackendChoice)) {
      throw new BenchParamError('backend', `"${backend}" is not one of ${BACKENDS.join(', ')}`);
    }
    s.backend = backend as BackendChoice; // checked against BACKENDS just above
  }
  const samples = text('samples');
  if (samples !== undefined) s.samples = wholeNumber('samples', samples, 1, LIMITS.samples);
  const seed = text('seed');
  if (seed !== undefined) s.seed = wholeNumber('seed', seed, 0, 2 ** 31 - 1);
  const naive = text('naive');
  if (naive !== undefined) s.naive = naive === '1' || naive === 'true';
  return s;
}

/** The URL query that reproduces `settings` (with bench=auto it starts the sweep on load). */
export function settingsToParams(settings: BenchSettings, mode: 'auto' | 'open' = 'auto'): URLSearchParams {
  const p = new URLSearchParams({ bench: mode });
  p.set('shapes', settings.shapes.replace(/\s+/g, ''));
  p.set('densities', settings.densities.replace(/\s+/g, ''));
  p.set('batches', settings.batches.replace(/\s+/g, ''));
  p.set('samples', String(settings.samples));
  p.set('backend', settings.backend);
  if (settings.naive) p.set('naive', '1');
  if (settings.seed !== DEFAULT_SETTINGS.seed) p.set('seed', String(settings.seed));
  return p;
}

export function toSweepConfig(settings: BenchSettings, model?: ModelLayers | null): SweepConfig {
  const config: SweepConfig = {
    shapes: parseShapes(settings.shapes, model),
    densities: parseDensities(settings.densities),
    batches: parseBatches(settings.batches),
    seed: settings.seed,
    naive: settings.naive,
    timing: { samples: wholeNumber('samples', String(settings.samples), 1, LIMITS.samples), warmup: 2 },
  };
  const points = config.shapes.length * config.batches.length * (config.densities.length + 1);
  if (points > LIMITS.points) {
    throw new BenchParamError(
      'shapes',
      `${points} points is too many for one sweep (at most ${LIMITS.points})`,
    );
  }
  return config;
}

/** 1 → "1", 1/64 → "1/64", 0.3 → "0.3": densities as people write them. */
export function formatDensity(d: number): string {
  if (d === 1) return '1';
  const inv = 1 / d;
  if (Math.abs(inv - Math.round(inv)) < 1e-6 * inv) return `1/${Math.round(inv)}`;
  return String(Number(d.toPrecision(3)));
}
