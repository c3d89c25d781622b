// The real-GPU report of `sparsescope bench-gpu` (schema sparsescope-gpu-report/1): the adapter, what each
// step ran and how long, what was cut, and each part's results as its own command wrote them. Pure: the
// CLI runs the steps and hands their outputs here; the Markdown is in gpuReportMarkdown.ts.
import type { GpuBenchPartName } from './gpuReportPlan';
import type { BenchRecord } from './kernelSweep';
import type { PeerGemmRow } from './peerGemm';
import type { BenchEnvironment } from './report';

export const GPU_REPORT_SCHEMA = 'sparsescope-gpu-report/1';

export interface AdapterIdentity {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter?: boolean;
}

/** What happened to one step: ran to the end, failed, stopped at its budget, or never started. */
type StepStatus = 'ok' | 'failed' | 'cut' | 'not run' | 'skipped';

export interface StepOutcome {
  part: GpuBenchPartName;
  name: string;
  /** `sparsescope <command> <args>` as run (without its --json file). */
  command: string;
  budgetS: number;
  seconds: number;
  status: StepStatus;
  exitCode: number | null;
  /** Why it is not 'ok', in words (the last lines of its output when it failed). */
  reason?: string;
}

/** The fields of a `bench-model --json` record the report reads (the CLI's ModelBenchRecord has more). */
export interface ModelBenchRow {
  path: 'dense' | 'sparse';
  density: number;
  mode: 'prefill' | 'decode';
  tokens: number;
  medianMs: number;
  p10Ms: number;
  p90Ms: number;
  samples: number;
  warmupMs: number;
  denseMs?: number;
  clear?: boolean;
  timer: string;
}

/** One run of the Graph Challenge DNN (a `dnn --json` file, trimmed to what the report shows). */
export interface DnnOutcome {
  step: string;
  kernel: string;
  nImages: number;
  nLayers: number;
  /** Images found in a category (the truth file's rows among those run). */
  categories: number;
  edges: number;
  edgesPerSecond: number;
  total: { ms: number; p10: number; p90: number; samples: number };
  /** Categories compared with the truth file (the dnn step's JSON): 'mismatch' fails the step. */
  truth: 'match' | 'mismatch' | 'not compared';
}

export interface GpuReport {
  schema: typeof GPU_REPORT_SCHEMA;
  date: string;
  command: string;
  runtime: string;
  quick: boolean;
  /** The adapter's name for files (adapterSlug); the files are `file`.json and .md. */
  slug: string;
  file: string;
  /** 1-minute load average of the host when the run started and when it ended. */
  load: [number, number];
  /** Where the Graph Challenge data came from (shown as <dnn-dir> in the steps' commands). */
  dnnDir: string;
  adapter: AdapterIdentity | null;
  features: string[];
  limits: Record<string, number>;
  budgetS: number;
  elapsedS: number;
  steps: StepOutcome[];
  /** One line per step that did not finish, saying what was cut and why. */
  cut: string[];
  gemm: PeerGemmRow[];
  sweep: { environments: Omit<BenchEnvironment, 'limits' | 'features'>[]; records: BenchRecord[] };
  model: { model: string; records: ModelBenchRow[] } | null;
  dnn: DnnOutcome[];
}

/**
 * File name for an adapter: 'gpu-' and the words of its vendor, architecture and device, lowercase, each
 * word once, e.g. {nvidia, hopper, nvidia-h200} → 'gpu-nvidia-hopper-h200'. Never empty, never a path.
 */
export function adapterSlug(adapter: AdapterIdentity | null): string {
  const words: string[] = [];
  for (const part of adapter ? [adapter.vendor, adapter.architecture, adapter.device] : []) {
    for (const word of String(part ?? '')
      .toLowerCase()
      .split(/[^a-z0-9]+/)) {
      if (word && !words.includes(word)) words.push(word);
    }
  }
  if (words.length === 0 && adapter?.description)
    return adapterSlug({ ...adapter, vendor: adapter.description });
  const slug = `gpu-${words.join('-') || 'unknown'}`;
  return slug.length > 64 ? slug.slice(0, 64).replace(/-+$/, '') : slug;
}

/** The line saying what a step that did not finish lost. */
export function cutLine(step: StepOutcome): string | null {
  switch (step.status) {
    case 'cut':
      return `${step.name}: stopped at its budget after ${step.seconds.toFixed(0)} s; its results are missing`;
    case 'not run':
      return `${step.name}: not run (${step.reason ?? 'its part had no budget left'})`;
    case 'failed':
      return `${step.name}: failed (exit ${step.exitCode}): ${step.reason ?? 'no message'}`;
    default:
      return null;
  }
}
