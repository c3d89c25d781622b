// Benchmark records shaped for the three charts, one layer shape at a time. Pure: no DOM, no Chart.js,
// so the shaping (what counts as a line, where the crossover sits) has its own unit tests.
import type { BenchRecord } from '../../bench/kernelSweep';
import { speedupLookup } from '../../bench/kernelSweep';
import { crossoverDensity } from '../../bench/stats';

export interface Point {
  x: number; // density
  y: number;
}

interface BatchLine {
  batch: number;
  points: Point[]; // sorted by density, ascending
}

interface Crossover {
  batch: number;
  /** Density where speedup crosses 1×, or null when it never does in the measured range. */
  density: number | null;
  /** Plain words: "break-even at 1/23", "sparse faster at every density measured", … */
  note: string;
}

export interface ShapeCharts {
  shape: string;
  densities: number[]; // every sparse density measured, ascending
  speedup: BatchLine[];
  crossovers: Crossover[];
  /** Median ms per dispatch: the CSR kernel at each density, and the dense kernel (one value per batch). */
  sparseMs: BatchLine[];
  denseMs: { batch: number; ms: number; p10: number; p90: number }[];
  sparseGbps: BatchLine[];
  denseGbps: { batch: number; gbps: number }[];
}

/** Layer shapes in the order they were measured. */
export function shapesOf(records: readonly BenchRecord[]): string[] {
  return [...new Set(records.map((r) => r.shape))];
}

const byDensity = (a: Point, b: Point) => a.x - b.x;

function lines(records: readonly BenchRecord[], y: (r: BenchRecord) => number): BatchLine[] {
  const map = new Map<number, Point[]>();
  for (const r of records) {
    const v = y(r);
    if (!Number.isFinite(v) || v <= 0) continue; // a log axis cannot show it; the table still does
    map.set(r.batch, [...(map.get(r.batch) ?? []), { x: r.density, y: v }]);
  }
  return [...map]
    .sort(([a], [b]) => a - b)
    .map(([batch, points]) => ({ batch, points: points.sort(byDensity) }));
}

function crossoverNote(points: readonly Point[], density: number | null): string {
  if (density !== null) return `break-even at density ≈ ${formatShort(density)}`;
  if (points.length === 0) return 'no sparse points';
  return points.every((p) => p.y > 1)
    ? 'sparse faster at every density measured'
    : 'dense faster at every density measured';
}

function formatShort(d: number): string {
  return d >= 0.1 ? d.toPrecision(2) : `1/${Math.round(1 / d)}`;
}

/** Everything the three charts of one shape need. Naive dense records are left out (not the baseline). */
export function shapeCharts(records: readonly BenchRecord[], shape: string): ShapeCharts {
  const own = records.filter((r) => r.shape === shape);
  const sparse = own.filter((r) => r.path === 'sparse');
  const dense = own.filter((r) => r.path === 'dense' && r.variant !== 'naive');
  const speedupOf = speedupLookup([...records]);
  const speedup = lines(sparse, (r) => speedupOf(r) ?? Number.NaN);
  const crossovers = speedup.map(({ batch, points }) => {
    const density = crossoverDensity(points.map((p) => ({ density: p.x, speedup: p.y })));
    return { batch, density, note: crossoverNote(points, density) };
  });
  return {
    shape,
    densities: [...new Set(sparse.map((r) => r.density))].sort((a, b) => a - b),
    speedup,
    crossovers,
    sparseMs: lines(sparse, (r) => r.medianMs),
    denseMs: dense
      .map((r) => ({ batch: r.batch, ms: r.medianMs, p10: r.p10Ms, p90: r.p90Ms }))
      .sort((a, b) => a.batch - b.batch),
    sparseGbps: lines(sparse, (r) => r.gbps),
    denseGbps: dense.map((r) => ({ batch: r.batch, gbps: r.gbps })).sort((a, b) => a.batch - b.batch),
  };
}

/** [min, max] density of a chart's x axis, padded a little on the log scale so end points are not clipped. */
export function densityRange(densities: readonly number[]): [number, number] {
  if (densities.length === 0) return [1e-3, 1];
  const lo = Math.min(...densities);
  const hi = Math.max(...densities);
  return [lo / 1.3, hi * 1.3];
}

/**
 * Colour of the i-th batch size: one hue per batch in every chart (line style tells CSR from dense), picked
 * to stay apart on a dark background and for the common colour-vision deficiencies.
 */
const BATCH_COLORS = ['#5ee0b5', '#ffb454', '#a9adff', '#ff7a9c', '#6cc6ff', '#e6e07a', '#c78bff'];

export function batchColor(i: number): string {
  return BATCH_COLORS[i % BATCH_COLORS.length];
}
