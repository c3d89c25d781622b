// The three charts of one layer shape, drawn with Chart.js (only the pieces used are registered):
// speedup vs density (one line per batch, break-even at 1×, crossover marked), time vs density for both
// paths, achieved GB/s against the copy-bandwidth roofline. Colour = batch size, solid = CSR, dashed = dense.
import {
  Chart,
  type ChartDataset,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  type Scale,
  Title,
  Tooltip,
} from 'chart.js';
import { batchColor, densityRange, type Point, type ShapeCharts } from './chartData';
import { formatDensity } from './params';

Chart.register(
  LineController,
  LineElement,
  PointElement,
  LinearScale,
  LogarithmicScale,
  Legend,
  Tooltip,
  Title,
);

type LineDataset = ChartDataset<'line', Point[]>;

const INK = '#c9cfdd';
const MUTED = '#8a93a8';
const GRID = 'rgba(255, 255, 255, 0.07)';
const CROSSOVER = 'crossover density';
const FONT = "'Inter', 'SF Pro Text', system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";

/** 1-2-5 ticks only, so a log axis reads as round numbers. */
function roundTick(value: number, unit: string): string {
  const mantissa = value / 10 ** Math.floor(Math.log10(value) + 1e-9);
  if (![1, 2, 5].some((m) => Math.abs(mantissa - m) < 1e-6)) return '';
  return `${Number(value.toPrecision(3))}${unit}`;
}

function densityAxis(densities: readonly number[]) {
  const [min, max] = densityRange(densities);
  return {
    type: 'logarithmic' as const,
    min,
    max,
    title: { display: true, text: 'density (nonzeros / N·K, log scale)', color: MUTED },
    grid: { color: GRID },
    ticks: { color: MUTED, callback: (v: number | string) => formatDensity(Number(v)) },
    // Ticks exactly at the measured densities, labelled as people write them (1/64, not 0.015625).
    afterBuildTicks: (axis: Scale) => {
      axis.ticks = densities.map((value) => ({ value }));
    },
  };
}

function logAxis(title: string, unit: string) {
  return {
    type: 'logarithmic' as const,
    title: { display: true, text: title, color: MUTED },
    grid: { color: GRID },
    ticks: { color: MUTED, callback: (v: number | string) => roundTick(Number(v), unit), autoSkip: false },
  };
}

function dashOf(dataset: object): number[] {
  const dash = 'borderDash' in dataset ? dataset.borderDash : undefined;
  return Array.isArray(dash) ? dash.filter((v) => typeof v === 'number') : [];
}

function baseOptions(title: string, yUnit: string) {
  return {
    animation: false as const,
    responsive: true,
    maintainAspectRatio: false,
    interaction: { mode: 'nearest' as const, intersect: false },
    plugins: {
      title: { display: true, text: title, color: INK, font: { size: 13, weight: 600, family: FONT } },
      legend: {
        position: 'bottom' as const,
        labels: {
          color: INK,
          usePointStyle: true,
          pointStyleWidth: 24,
          boxHeight: 8,
          padding: 12,
          font: { size: 11, family: FONT },
          // Lines as lines (dashes kept: dashed = dense), the crossover as its diamond.
          generateLabels: (chart: Chart) =>
            Chart.defaults.plugins.legend.labels.generateLabels(chart).map((item) => ({
              ...item,
              pointStyle: item.text === CROSSOVER ? ('rectRot' as const) : ('line' as const),
              lineWidth: item.text === CROSSOVER ? 1.5 : 2.5,
              // With point styles the legend copies the first point's style, not the line's dashes.
              lineDash: item.datasetIndex === undefined ? [] : dashOf(chart.data.datasets[item.datasetIndex]),
            })),
        },
      },
      tooltip: {
        callbacks: {
          label: (item: { dataset: { label?: string }; parsed: { x: number | null; y: number | null } }) =>
            `${item.dataset.label ?? ''}: ${Number((item.parsed.y ?? 0).toPrecision(3))}${yUnit} at density ${formatDensity(item.parsed.x ?? 1)}`,
        },
      },
    },
  };
}

function line(label: string, points: Point[], color: string, dashed = false, width = 2): LineDataset {
  return {
    label,
    data: points,
    borderColor: color,
    backgroundColor: color,
    borderWidth: width,
    borderDash: dashed ? [6, 4] : [],
    pointRadius: dashed ? 0 : 3,
    pointHoverRadius: 5,
    tension: 0,
  };
}

/** A horizontal line across the density axis (dense time, dense GB/s, the roofline, break-even). */
function level(label: string, y: number, range: [number, number], color: string, width = 1.5): LineDataset {
  return line(
    label,
    [
      { x: range[0], y },
      { x: range[1], y },
    ],
    color,
    true,
    width,
  );
}

function speedupDatasets(c: ShapeCharts): LineDataset[] {
  const range = densityRange(c.densities);
  const sets = c.speedup.map((l, i) => line(`batch ${l.batch}`, l.points, batchColor(i)));
  sets.push(level('break-even 1×', 1, range, 'rgba(255, 255, 255, 0.55)'));
  const marks = c.crossovers
    .map((x, i) => ({ x, color: batchColor(i) }))
    .filter(({ x }) => x.density !== null);
  if (marks.length > 0) {
    sets.push({
      label: CROSSOVER,
      data: marks.map(({ x }) => ({ x: x.density ?? 1, y: 1 })),
      showLine: false,
      pointStyle: 'rectRot',
      pointRadius: 7,
      pointHoverRadius: 9,
      borderColor: '#ffffff',
      borderWidth: 1.5,
      backgroundColor: marks.map(({ color }) => color),
    });
  }
  return sets;
}

function timeDatasets(c: ShapeCharts): LineDataset[] {
  const range = densityRange(c.densities);
  const sets: LineDataset[] = [];
  c.sparseMs.forEach((l, i) => {
    sets.push(line(`CSR, batch ${l.batch}`, l.points, batchColor(i)));
    const dense = c.denseMs.find((d) => d.batch === l.batch);
    if (dense) sets.push(level(`dense, batch ${l.batch}`, dense.ms, range, batchColor(i), 2));
  });
  return sets;
}

function bandwidthDatasets(c: ShapeCharts, copyGbps: number | undefined): LineDataset[] {
  const range = densityRange(c.densities);
  const sets: LineDataset[] = [];
  c.sparseGbps.forEach((l, i) => {
    sets.push(line(`CSR, batch ${l.batch}`, l.points, batchColor(i)));
    const dense = c.denseGbps.find((d) => d.batch === l.batch);
    if (dense && dense.gbps > 0)
      sets.push(level(`dense, batch ${l.batch}`, dense.gbps, range, batchColor(i), 2));
  });
  if (copyGbps && copyGbps > 0) {
    const roofline = level(`copy roofline ${copyGbps.toPrecision(3)} GB/s`, copyGbps, range, '#ffffff', 3);
    roofline.borderDash = []; // solid: the one line that is not a measurement of these kernels
    sets.push(roofline);
  }
  return sets;
}

export type ChartKind = 'speedup' | 'time' | 'bandwidth';

/** Draws the three charts of one shape into `canvases`; returns the Chart objects (destroy before redraw). */
export function drawCharts(
  canvases: Record<ChartKind, HTMLCanvasElement>,
  c: ShapeCharts,
  copyGbps: number | undefined,
): Chart<'line', Point[]>[] {
  // unit: in tooltips; only the speedup axis repeats it on its ticks (the others name it in the title).
  const make = (kind: ChartKind, datasets: LineDataset[], title: string, yTitle: string, unit: string) =>
    new Chart<'line', Point[]>(canvases[kind], {
      type: 'line',
      data: { datasets },
      options: {
        ...baseOptions(title, unit),
        scales: { x: densityAxis(c.densities), y: logAxis(yTitle, kind === 'speedup' ? unit : '') },
      },
    });
  return [
    make('speedup', speedupDatasets(c), `Speedup of CSR over dense · ${c.shape}`, 'dense ms / CSR ms', '×'),
    make('time', timeDatasets(c), `Time per dispatch · ${c.shape}`, 'median ms per dispatch (log)', ' ms'),
    make(
      'bandwidth',
      bandwidthDatasets(c, copyGbps),
      `Achieved bandwidth · ${c.shape}`,
      'effective GB/s (log)',
      ' GB/s',
    ),
  ];
}
