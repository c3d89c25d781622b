// Pure helpers of the DNN workload: the image-range box ("all", "1-1200", "280-311", "287") and the
// one-line result summary (categories against the truth, edges per second per path, the speedup).

import type { WeightPath } from '../../contracts';

class ImageRangeError extends Error {
  override name = 'ImageRangeError';
}

/**
 * "all" / "" → every image; "a-b" (also a–b, a..b, a:b) → images a..b inclusive, 1-based as the
 * categories file numbers them; "a" → that image. Returns 0-based `first` and `count`.
 */
export function parseImageRange(spec: string, nImages: number): { first: number; count: number } {
  const s = spec.trim().toLowerCase();
  if (s === '' || s === 'all') return { first: 0, count: nImages };
  const m = /^(\d+)\s*(?:(?:-|–|\.\.|:)\s*(\d+))?$/.exec(s);
  if (!m) {
    throw new ImageRangeError(
      `images "${spec}": expected "all", a range such as "280-311", or one image number`,
    );
  }
  const a = Number(m[1]);
  const b = m[2] === undefined ? a : Number(m[2]);
  if (a < 1 || b < a || b > nImages) {
    throw new ImageRangeError(`images "${spec}": the input has images 1-${nImages}; give a ≤ b within it`);
  }
  return { first: a - 1, count: b - a + 1 };
}

export interface PathRun {
  path: WeightPath;
  /** 0-based image indices (of the whole input) whose last layer has a nonzero. */
  categories: number[];
  seconds: number;
  edgesPerSecond: number;
}

export interface DnnSummaryInput {
  first: number;
  count: number;
  /** Sparse first, then dense. */
  runs: PathRun[];
  /** The true categories within the range (0-based), when a categories file was given. */
  truth: number[] | null;
  backend: string;
}

const LIST_MAX = 8;

function sameList(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** '1.23e9'. */
export function formatRate(r: number): string {
  if (!Number.isFinite(r) || r <= 0) return '—';
  return r.toExponential(2).replace('e+', 'e');
}

function formatSeconds(s: number): string {
  return s < 1 ? `${(s * 1000).toPrecision(3)} ms` : `${s.toFixed(2)} s`;
}

/** Image numbers as people read them (1-based); long lists become a count. */
function categoryText(categories: readonly number[]): string {
  if (categories.length === 0) return 'no categories';
  if (categories.length > LIST_MAX) return `${categories.length} categories`;
  return `categories ${categories.map((i) => i + 1).join(', ')}`;
}

/**
 * e.g. "images 280–311 · categories 287, 295 = truth ✓ · WebGPU · sparse 1.31e9 edges/s (0.95 ms) ·
 * dense 2.10e7 edges/s (59.9 ms) · sparse 63× faster".
 */
export function formatDnnSummary(s: DnnSummaryInput): string {
  const parts: string[] = [];
  parts.push(s.count === 1 ? `image ${s.first + 1}` : `images ${s.first + 1}–${s.first + s.count}`);
  const [sparse, dense] = s.runs;
  const agree = !dense || sameList(sparse.categories, dense.categories);
  let categories = categoryText(sparse.categories);
  if (s.truth) {
    const right = sameList(sparse.categories, s.truth) && agree;
    categories += right ? ' = truth ✓' : ` ✗ truth: ${categoryText(s.truth)}`;
  }
  if (!agree) categories += ` ✗ dense path: ${categoryText(dense.categories)}`;
  parts.push(categories, s.backend);
  for (const r of s.runs) {
    parts.push(`${r.path} ${formatRate(r.edgesPerSecond)} edges/s (${formatSeconds(r.seconds)})`);
  }
  if (sparse && dense && sparse.seconds > 0 && dense.seconds > 0) {
    const x = dense.seconds / sparse.seconds;
    parts.push(x >= 1 ? `sparse ${x.toPrecision(3)}× faster` : `dense ${(1 / x).toPrecision(3)}× faster`);
  }
  return parts.join(' · ');
}
