// A workload is what the app is showing: a model pair (or layered network) that can be drawn, run on the
// session's backend, and benchmarked. main.ts switches between workloads; each owns its loading and running.
import type { Session } from '../../engine/session';
import type { SceneResults } from '../app';
import type { ModelLayers } from '../bench/params';

export type WorkloadProgress = (fraction: number, what: string) => void;

/** One model's next-token guess at the selected position, for the predictions panel. */
export interface Prediction {
  path: 'dense' | 'sparse';
  top: { token: string; p: number }[];
}

export interface WorkloadResult {
  scene: SceneResults;
  /** Per path, next-token predictions (language models only). */
  predictions?: Prediction[];
  /** Said beside the predictions when they mean nothing (seeded, untrained weights). */
  predictionNote?: string;
  /** One line for the status bar: what ran, e.g. "1200 images · 19 categories (truth: 19 ✓)". */
  summary: string;
}

export interface Workload {
  readonly id: string;
  /** Whether the density control applies (pruned presets) or the sparsity is fixed (trained, files). */
  readonly usesDensity: boolean;
  /** What the prompt box means for this workload, e.g. "prompt" or "images (first..count)". */
  readonly inputLabel: string;
  readonly defaultInput: string;
  /**
   * Load weights and build both graphs; `density` is ignored when !usesDensity. `densityAsked`: the user
   * chose it for this model (a checkpoint that stores its zeros is pruned further only then).
   */
  load(session: Session, density: number, progress: WorkloadProgress, densityAsked?: boolean): Promise<void>;
  /** Run the input through both paths on the session's current backend. */
  run(session: Session, input: string): Promise<WorkloadResult>;
  /** The layer shapes and densities for the benchmark panel's "this model's layers". */
  benchLayers(): ModelLayers | null;
  dispose(): void;
}
