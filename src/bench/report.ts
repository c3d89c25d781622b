// The benchmark report: one schema for `sparsescope bench --json`, the app's export and bench:browser.
import type { BenchRecord, SweepConfig } from './kernelSweep';
import { speedupLookup } from './kernelSweep';

export const BENCH_SCHEMA = 'sparsescope-bench/1';

export interface BenchEnvironment {
  runtime: string; // 'node v20.20.2 + Dawn' or the browser's user agent
  backend: 'webgpu' | 'cpu';
  adapter: string;
  adapterInfo?: {
    vendor: string;
    architecture: string;
    device: string;
    description: string;
    isFallbackAdapter: boolean;
  };
  features?: string[];
  limits?: Record<string, number>;
  timer: 'gpu-timestamp' | 'wall';
  /** Achievable bandwidth on this adapter (copy kernel, read + write bytes), the roofline for GB/s. */
  copyGbps?: number;
  date: string;
  command?: string;
}

export interface BenchReport {
  schema: typeof BENCH_SCHEMA;
  environment: BenchEnvironment;
  sweep: SweepConfig;
  records: BenchRecord[];
}

const RECORD_FIELDS: (keyof BenchRecord)[] = [
  'path',
  'variant',
  'shape',
  'n',
  'k',
  'batch',
  'density',
  'nnz',
  'medianMs',
  'p10Ms',
  'p90Ms',
  'gflops',
  'gbps',
  'repeats',
  'samples',
  'backend',
  'adapter',
  'timer',
];

/** Throws a message naming the first problem if `value` is not a BenchReport (for loading exports). */
export function validateReport(value: unknown): BenchReport {
  const r = value as Partial<BenchReport> | null;
  if (!r || typeof r !== 'object') throw new Error('benchmark report: not a JSON object');
  if (r.schema !== BENCH_SCHEMA)
    throw new Error(`benchmark report: schema is ${String(r.schema)}, expected ${BENCH_SCHEMA}`);
  if (!r.environment || typeof r.environment.adapter !== 'string')
    throw new Error('benchmark report: environment.adapter missing');
  if (!Array.isArray(r.records)) throw new Error('benchmark report: records is not an array');
  r.records.forEach((rec, i) => {
    for (const field of RECORD_FIELDS) {
      if (!(field in rec)) throw new Error(`benchmark report: record ${i} has no "${field}"`);
    }
    if (rec.path !== 'dense' && rec.path !== 'sparse')
      throw new Error(`benchmark report: record ${i} path is ${rec.path}`);
  });
  return r as BenchReport;
}

function csvCell(v: unknown): string {
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(records: BenchRecord[]): string {
  const speedup = speedupLookup(records);
  const header = [...RECORD_FIELDS, 'speedup'];
  const lines = records.map((rec) =>
    [...RECORD_FIELDS.map((f) => rec[f]), speedup(rec) ?? ''].map(csvCell).join(','),
  );
  return [header.join(','), ...lines].join('\n');
}
