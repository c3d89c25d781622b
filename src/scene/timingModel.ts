// Pure: LayerTiming rows → what the overlays, the headline and the timing panel draw. The one place
// times are added up: every row is filed under one block (embed, each layer's attn and mlp, unembed, a DNN
// layer); a block's time is the engine's aggregate row when it gave one ('attn', 'mlp' include their layer
// norms and residual adds), else the sum of its parts; the parts always add up to the block (what the
// engine timed inside an aggregate but did not name is one 'other' part); a path's total is the sum of its
// blocks. So headline = Σ blocks = Σ parts by construction, and nothing is counted twice.

import type { KernelChoiceOrigin, LayerTiming, TimerSourceName, WeightPath } from '../contracts';

/** Block-level totals the engine adds on top of the passes inside them (src/engine/timings.ts). */
const AGGREGATE_OPS = new Set(['attn', 'mlp']);

/** Parent block of a timed op: the anchor it is drawn at. Layer norms belong to the block they feed. */
export function parentOp(op: string): string {
  if (op === 'ln1' || op === 'qkv' || op.startsWith('attn.')) return 'attn';
  if (op === 'ln2' || op === 'fc' || op.startsWith('fc.') || op.startsWith('mlp.')) return 'mlp';
  if (op === 'lnf') return 'unembed'; // the final norm feeds the unembedding, drawn as one output block
  return op;
}

export interface OpTime {
  op: string;
  ms: number;
  /** A linear layer's GPU kernel and how it was chosen (LayerTiming.kernel, .chosen). */
  kernel?: string;
  chosen?: KernelChoiceOrigin;
}

export interface AnchorTime {
  layer: number;
  op: string;
  ms: number;
  /** The parts in engine order; they add up to `ms` (an 'other' part holds what was timed but not named). */
  split: OpTime[];
  /** The measured row of this anchor (median in ms, p10, p90, samples) when the backend gave one. */
  measured?: LayerTiming;
}

export interface PathTimes {
  path: WeightPath;
  /** Key `${layer}:${op}`, in engine order. */
  anchors: Map<string, AnchorTime>;
  /** Σ anchors' ms. */
  totalMs: number;
  sources: TimerSourceName[];
}

export interface TimingSummary {
  dense: PathTimes;
  sparse: PathTimes;
  /** dense total / sparse total, when both were measured (one run: one call of forward). */
  speedup: number | null;
  /** Largest anchor time over both paths: the bars' common scale. */
  maxAnchorMs: number;
  /** 'GPU timestamps', 'wall clock', or both, for the overlay legend. */
  sourceLabel: string;
  /** What a reading of 0 means: below this (the coarsest timer that measured). */
  resolutionMs: number;
}

const SOURCE_LABEL: Record<TimerSourceName, string> = {
  'gpu-timestamp': 'GPU timestamps',
  wall: 'wall clock',
};

/** Smallest step each timer can show: the browser's coarsened performance.now(), and 1 µs for GPU stamps. */
const RESOLUTION_MS: Record<TimerSourceName, number> = { 'gpu-timestamp': 0.001, wall: 0.1 };

/** A part other than a weight matmul smaller than this share of its block joins 'other' (a short line). */
const MIN_PART_SHARE = 0.03;
/** The ops that read weights (where sparse and dense differ): always on the split line. */
const MATMUL_OPS = new Set(['qkv', 'attn.proj', 'fc', 'fc.proj', 'unembed', 'dnn']);

function summarizePath(rows: LayerTiming[], path: WeightPath): PathTimes {
  const anchors = new Map<string, AnchorTime>();
  const aggregate = new Map<string, number>();
  const own = new Map<string, LayerTiming>();
  const sources = new Set<TimerSourceName>();
  for (const row of rows) {
    if (row.path !== path || !Number.isFinite(row.ms)) continue;
    sources.add(row.source);
    const op = parentOp(row.op);
    const key = `${row.layer}:${op}`;
    let anchor = anchors.get(key);
    if (!anchor) {
      anchor = { layer: row.layer, op, ms: 0, split: [] };
      anchors.set(key, anchor);
    }
    if (AGGREGATE_OPS.has(row.op)) {
      aggregate.set(key, (aggregate.get(key) ?? 0) + row.ms);
      anchor.measured = row;
    } else {
      const kernel = row.kernel ? { kernel: row.kernel, chosen: row.chosen } : {};
      anchor.split.push({ op: row.op, ms: Math.max(0, row.ms), ...kernel });
      if (row.op === op) own.set(key, row); // a block that is one pass (embed, unembed, a DNN layer)
    }
  }
  let totalMs = 0;
  for (const [key, anchor] of anchors) {
    const parts = anchor.split.reduce((s, p) => s + p.ms, 0);
    // The spread shown on hover is a measured row's: the aggregate's, or the block's only pass.
    if (!anchor.measured && anchor.split.length === 1) anchor.measured = own.get(key);
    // The parts were timed inside the aggregate: a larger sum is timer noise, and then the parts rule.
    anchor.ms = Math.max(aggregate.get(key) ?? 0, parts);
    anchor.split = foldSmallParts(anchor.split, anchor.ms - parts, anchor.ms);
    totalMs += anchor.ms;
  }
  return { path, anchors, totalMs, sources: [...sources] };
}

/** Non-matmul parts under MIN_PART_SHARE of the block, and the unnamed remainder, become one 'other' part. */
function foldSmallParts(parts: OpTime[], remainder: number, blockMs: number): OpTime[] {
  if (parts.length <= 1 && remainder <= 0) return parts;
  let other = remainder;
  const kept: OpTime[] = [];
  for (const p of parts) {
    if (!MATMUL_OPS.has(p.op) && p.ms < MIN_PART_SHARE * blockMs && parts.length > 1) other += p.ms;
    else kept.push(p);
  }
  if (other > 0) kept.push({ op: 'other', ms: other });
  return kept;
}

export function summarizeTimings(timings: readonly LayerTiming[]): TimingSummary {
  const rows = [...timings];
  const dense = summarizePath(rows, 'dense');
  const sparse = summarizePath(rows, 'sparse');
  let maxAnchorMs = 0;
  for (const p of [dense, sparse])
    for (const a of p.anchors.values()) maxAnchorMs = Math.max(maxAnchorMs, a.ms);
  const speedup = dense.totalMs > 0 && sparse.totalMs > 0 ? dense.totalMs / sparse.totalMs : null;
  const sources = [...new Set([...dense.sources, ...sparse.sources])];
  const sourceLabel = sources.length ? sources.map((s) => SOURCE_LABEL[s]).join(' + ') : 'no timings';
  const resolutionMs = Math.max(0.001, ...sources.map((s) => RESOLUTION_MS[s]));
  return { dense, sparse, speedup, maxAnchorMs, sourceLabel, resolutionMs };
}

/**
 * The time drawn beside a graph layer whose `timing` is { layer?, op }: that anchor, or with no layer,
 * every anchor of that op added up ('unembed' wherever the backend numbered it). Null when not timed.
 */
export function anchorTime(times: PathTimes, spec: { layer?: number; op: string }): AnchorTime | null {
  if (spec.layer !== undefined) return times.anchors.get(`${spec.layer}:${spec.op}`) ?? null;
  const matches = [...times.anchors.values()].filter((a) => a.op === spec.op);
  if (matches.length === 0) return null;
  if (matches.length === 1) return matches[0]; // keeps its measured spread for the hover text
  return {
    layer: matches[0].layer,
    op: spec.op,
    ms: matches.reduce((s, a) => s + a.ms, 0),
    split: matches.flatMap((a) => a.split),
  };
}

/**
 * '0.42 ms', '12.3 ms', '85 µs'. A reading of 0 is work done below the timer's resolution: '< 0.1 ms'
 * (never '0 µs').
 */
export function formatMs(ms: number, resolutionMs = 0.001): string {
  if (!(ms > 0)) return `< ${formatMs(resolutionMs)}`;
  if (ms < 0.1) {
    // Fixed notation (toPrecision gave '1.0e+2 µs' just under 0.1 ms).
    const us = ms * 1000;
    return `${us < 1 ? us.toFixed(2) : us < 10 ? us.toFixed(1) : Math.round(us)} µs`;
  }
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 100) return `${ms.toFixed(1)} ms`;
  return `${Math.round(ms)} ms`;
}

/** Compact ms for the split line (the unit is in the main label): '.12', '1.1', '12', '.004', '<.1'. */
export function compactMs(ms: number, resolutionMs = 0.001): string {
  if (!(ms > 0)) return `<${compactMs(resolutionMs)}`;
  if (ms < 0.01) return Number(ms.toPrecision(1)).toString().replace(/^0/, '');
  if (ms < 1) return ms.toFixed(2).replace(/^0/, '');
  if (ms < 10) return ms.toFixed(1);
  return String(Math.round(ms));
}

/** Short names for the split line: 'attn.proj' → 'proj'. */
export function shortOp(op: string): string {
  const names: Record<string, string> = {
    'attn.proj': 'proj',
    'fc.proj': 'proj',
    'attn.core': 'core',
    'attn.add': 'add',
    'mlp.add': 'add',
    ln1: 'ln',
    ln2: 'ln',
  };
  return names[op] ?? op;
}

/** Consecutive blocks drawn as one spine row: their times added up per op (the same anchors as above). */
export interface BlockGroup {
  first: number;
  last: number;
  /** Σ of the group's anchors, per op ('attn', 'mlp', or a DNN layer's op), in engine order. */
  ops: OpTime[];
  /** Σ ops: the group's share of the path total. */
  ms: number;
}

/**
 * The numbered blocks (layer indices of anchors with a layer, embed and unembed aside) cut into runs of
 * `size` consecutive blocks; a run of one stays a block of its own. Every block is in exactly one run.
 */
export function blockRuns(layers: readonly number[], size: number): { first: number; last: number }[] {
  const sorted = [...new Set(layers)].sort((a, b) => a - b);
  const step = Math.max(1, Math.floor(size));
  const runs: { first: number; last: number }[] = [];
  for (let i = 0; i < sorted.length; i += step) {
    const chunk = sorted.slice(i, i + step);
    runs.push({ first: chunk[0], last: chunk[chunk.length - 1] });
  }
  return runs;
}

/** The time of blocks first..last of one path, per op: Σ of their anchors (no other arithmetic). */
export function groupTime(times: PathTimes, first: number, last: number, ops: readonly string[]): BlockGroup {
  const sums: OpTime[] = ops.map((op) => ({ op, ms: 0 }));
  for (const a of times.anchors.values()) {
    if (a.layer < first || a.layer > last) continue;
    const sum = sums.find((s) => s.op === a.op);
    if (sum) sum.ms += a.ms;
  }
  return { first, last, ops: sums, ms: sums.reduce((s, o) => s + o.ms, 0) };
}
