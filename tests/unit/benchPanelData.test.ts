import { describe, expect, it } from 'vitest';
import type { BenchRecord } from '../../src/bench/kernelSweep';
import { BENCH_SCHEMA } from '../../src/bench/report';
import { caveatsFor, isCpuEmulated, type PanelReport } from '../../src/ui/bench/caveats';
import { densityRange, shapeCharts, shapesOf } from '../../src/ui/bench/chartData';
import { DEFAULT_SETTINGS } from '../../src/ui/bench/params';
import {
  deserializeState,
  loadState,
  STORAGE_KEY,
  saveState,
  serializeState,
} from '../../src/ui/bench/persist';

function record(over: Partial<BenchRecord>): BenchRecord {
  return {
    path: 'sparse',
    variant: 'auto',
    shape: 'A',
    n: 8,
    k: 8,
    batch: 1,
    density: 1,
    nnz: 64,
    medianMs: 1,
    p10Ms: 0.9,
    p90Ms: 1.1,
    gflops: 1,
    gbps: 1,
    repeats: 4,
    samples: 3,
    backend: 'webgpu',
    adapter: 'test',
    timer: 'gpu-timestamp',
    ...over,
  };
}

/** Shape A: dense 2 ms (batch 1) and 4 ms (batch 4); CSR time falls with density. Shape B: one point. */
const RECORDS: BenchRecord[] = [
  record({ path: 'dense', batch: 1, medianMs: 2, gbps: 5 }),
  record({ density: 1, batch: 1, medianMs: 4, gbps: 3 }), // speedup 0.5
  record({ density: 1 / 4, batch: 1, medianMs: 1, gbps: 2 }), // speedup 2
  record({ density: 1 / 16, batch: 1, medianMs: 0.5, gbps: Number.NaN }), // speedup 4, no GB/s
  record({ path: 'dense', variant: 'naive', batch: 1, medianMs: 50 }), // never the baseline
  record({ path: 'dense', batch: 4, medianMs: 4 }),
  record({ density: 1 / 16, batch: 4, medianMs: 8 }), // speedup 0.5
  record({ density: 1 / 4, batch: 4, medianMs: 16 }), // speedup 0.25
  record({ shape: 'B', n: 16, path: 'dense', medianMs: 1 }),
  record({ shape: 'B', n: 16, density: 1 / 2, medianMs: 0.5 }),
];

describe('chart data', () => {
  it('makes one speedup line per batch, sorted by density, against the tuned dense kernel', () => {
    const c = shapeCharts(RECORDS, 'A');
    expect(shapesOf(RECORDS)).toEqual(['A', 'B']);
    expect(c.densities).toEqual([1 / 16, 1 / 4, 1]);
    expect(c.speedup.map((l) => l.batch)).toEqual([1, 4]);
    expect(c.speedup[0].points).toEqual([
      { x: 1 / 16, y: 4 },
      { x: 1 / 4, y: 2 },
      { x: 1, y: 0.5 },
    ]);
    expect(c.speedup[1].points).toEqual([
      { x: 1 / 16, y: 0.5 },
      { x: 1 / 4, y: 0.25 },
    ]);
  });

  it('marks the crossover in log density, or says which path always won', () => {
    const [b1, b4] = shapeCharts(RECORDS, 'A').crossovers;
    // speedup 2 at 1/4 and 0.5 at 1: halfway in log space → density 1/2
    expect(b1.density).toBeCloseTo(0.5, 12);
    expect(b1.note).toBe('break-even at density ≈ 0.50');
    expect(b4).toEqual({ batch: 4, density: null, note: 'dense faster at every density measured' });
    expect(shapeCharts(RECORDS, 'B').crossovers[0].note).toBe('sparse faster at every density measured');
  });

  it('keeps dense time and GB/s per batch, and drops points a log axis cannot draw', () => {
    const c = shapeCharts(RECORDS, 'A');
    expect(c.denseMs.map((d) => [d.batch, d.ms])).toEqual([
      [1, 2],
      [4, 4],
    ]);
    expect(c.sparseGbps[0].points.map((p) => p.x)).toEqual([1 / 4, 1]); // NaN GB/s left out
    expect(c.sparseMs[0].points).toHaveLength(3);
  });

  it('pads the density axis on the log scale', () => {
    const [lo, hi] = densityRange([1 / 64, 1]);
    expect(lo).toBeLessThan(1 / 64);
    expect(hi).toBeGreaterThan(1);
    expect(densityRange([])).toEqual([1e-3, 1]);
  });
});

function report(): PanelReport {
  const environment = {
    runtime: 'test',
    backend: 'webgpu' as const,
    adapter: 'google swiftshader (fallback)',
    adapterInfo: {
      vendor: 'google',
      architecture: 'swiftshader',
      device: '',
      description: '',
      isFallbackAdapter: true,
    },
    timer: 'gpu-timestamp' as const,
    copyGbps: 1.5,
    date: '2025-01-01T00:00:00.000Z',
    compile: { denseMs: 1200, sparseMs: 800, cached: false },
  };
  return {
    schema: BENCH_SCHEMA,
    environment,
    sweep: { shapes: [{ n: 8, k: 8 }], densities: [1, 1 / 4, 1 / 16], batches: [1, 4] },
    records: RECORDS,
    caveats: caveatsFor(environment, RECORDS),
  };
}

describe('caveats', () => {
  it('names the regime the numbers come from', () => {
    const r = report();
    expect(isCpuEmulated(r.environment)).toBe(true);
    expect(r.caveats[0]).toContain('CPU-emulated');
    expect(r.caveats.join(' ')).toContain('100 µs');
    expect(r.caveats.join(' ')).toContain('Pipeline compilation (2000 ms)');
    expect(r.caveats.join(' ')).toContain('3 points beat the copy roofline'); // gbps 5, 3, 2 > 1.5
    const gpu = {
      ...r.environment,
      adapterInfo: {
        vendor: 'nvidia',
        architecture: 'ampere',
        device: '',
        description: '',
        isFallbackAdapter: false,
      },
    };
    expect(caveatsFor(gpu, RECORDS)[0]).toContain('launch-bound');
    const cpu = {
      ...r.environment,
      backend: 'cpu' as const,
      timer: 'wall' as const,
      fallbackReason: 'no adapter',
    };
    expect(caveatsFor(cpu, RECORDS)[0]).toContain('CPU backend (no adapter)');
  });
});

describe('persistence', () => {
  it('round-trips settings and the report (NaN becomes null and stays harmless)', () => {
    const state = { settings: { ...DEFAULT_SETTINGS, samples: 3 }, report: report() };
    const back = deserializeState(serializeState(state));
    expect(back?.settings).toEqual(state.settings);
    expect(back?.report?.records).toHaveLength(RECORDS.length);
    expect(back?.report?.records[3].gbps).toBeNull();
    expect(back?.report?.caveats).toEqual(state.report.caveats);
    expect(shapeCharts(back?.report?.records ?? [], 'A').sparseGbps[0].points).toHaveLength(2);
  });

  it('ignores corrupt, foreign or invalid entries without throwing', () => {
    expect(deserializeState(null)).toBeNull();
    expect(deserializeState('{not json')).toBeNull();
    expect(deserializeState('{"version":2}')).toBeNull();
    const badReport = deserializeState(JSON.stringify({ version: 1, settings: {}, report: { schema: 'x' } }));
    expect(badReport).toEqual({ settings: DEFAULT_SETTINGS, report: null });
    const badSettings = deserializeState(
      JSON.stringify({
        version: 1,
        settings: { backend: 'metal', samples: -2, shapes: '64x64' },
        report: null,
      }),
    );
    expect(badSettings?.settings).toEqual({ ...DEFAULT_SETTINGS, shapes: '64x64' });
  });

  it('stores under one key and reports a refused write', () => {
    const map = new Map<string, string>();
    const store = {
      getItem: (k: string) => map.get(k) ?? null,
      setItem: (k: string, v: string) => void map.set(k, v),
      removeItem: (k: string) => void map.delete(k),
    };
    expect(saveState(store, { settings: DEFAULT_SETTINGS, report: null })).toBeNull();
    expect([...map.keys()]).toEqual([STORAGE_KEY]);
    expect(loadState(store)?.settings).toEqual(DEFAULT_SETTINGS);
    const full = {
      ...store,
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    };
    expect(saveState(full, { settings: DEFAULT_SETTINGS, report: null })).toContain('QuotaExceededError');
    expect(saveState(null, { settings: DEFAULT_SETTINGS, report: null })).toContain('not available');
  });
});
