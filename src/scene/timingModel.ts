// Pure: LayerTiming rows → what the overlays draw. Rows name a block's aggregate ('attn', 'mlp') and/or
// the matmuls inside it ('qkv', 'attn.proj', 'fc', 'fc.proj'); each is filed under its parent so a block's
// time is the aggregate when the backend gives one, else the sum of its parts (never both: no double count).

import type { LayerTiming, TimerSourceName, WeightPath } from '../contracts';

/** Parent op of a timed op: the anchor it is drawn at. */
export function parentOp(op: string): string {
  if (op === 'qkv' || op.startsWith('attn.')) return 'attn';
  if (op === 'fc' || op.startsWith('fc.') || op.startsWith('mlp.')) return 'mlp';
  return op;
}

export interface OpTime {
  op: string;
  ms: number;
}

export interface AnchorTime {
  layer: number;
  op: string;
  ms: number;
  /** The parts, when the backend timed them (empty when it only gave the aggregate). */
  split: OpTime[];
  /** The measured row of this anchor (median in ms, p10, p90, samples) when the backend gave one. */
  measured?: LayerTiming;
}

export interface PathTimes {
  path: WeightPath;
  /** Key `${layer}:${op}`. */
  anchors: Map<string, AnchorTime>;
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
}

export const SOURCE_LABEL: Record<TimerSourceName, string> = {
  'gpu-timestamp': 'GPU timestamps',
  wall: 'wall clock',
};

/** Parts worth a place on the split line: the matmuls and the attention core (not norms and adds). */
const SPLIT_OPS = new Set(['qkv', 'attn.core', 'attn.proj', 'fc', 'fc.proj']);

function summarizePath(rows: LayerTiming[], path: WeightPath): PathTimes {
  const anchors = new Map<string, AnchorTime>();
  const aggregate = new Map<string, number>();
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
    if (row.op === op) {
      aggregate.set(key, (aggregate.get(key) ?? 0) + row.ms);
      anchor.measured = row;
    } else if (SPLIT_OPS.has(row.op)) anchor.split.push({ op: row.op, ms: row.ms });
  }
  let totalMs = 0;
  for (const [key, anchor] of anchors) {
    anchor.ms = aggregate.get(key) ?? anchor.split.reduce((s, p) => s + p.ms, 0);
    totalMs += anchor.ms;
  }
  return { path, anchors, totalMs, sources: [...sources] };
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
  return { dense, sparse, speedup, maxAnchorMs, sourceLabel };
}

/**
 * The time drawn beside a graph layer whose `timing` is { layer?, op }: that anchor, or with no layer,
 * every anchor of that op added up ('unembed' wherever the backend numbered it). Null when not timed.
 */
export function anchorTime(times: PathTimes, spec: { layer?: number; op: string }): AnchorTime | null {
  if (spec.layer !== undefined) return times.anchors.get(`${spec.layer}:${spec.op}`) ?? null;
  const matches = [...times.anchors.values()].filter((a) => a.op === spec.op);
  if (matches.length === 0) return null;
  return {
    layer: matches[0].layer,
    op: spec.op,
    ms: matches.reduce((s, a) => s + a.ms, 0),
    split: matches.flatMap((a) => a.split),
  };
}

const COUNT_FORMAT = new Intl.NumberFormat('en-US');

/** '12,345'. One shared formatter: Number.toLocaleString builds a new one on every call. */
export function formatCount(n: number): string {
  return COUNT_FORMAT.format(n);
}

/** '0.42 ms', '12.3 ms', '85 µs'. */
export function formatMs(ms: number): string {
  if (ms < 0.1) {
    // Fixed notation (toPrecision gave '1.0e+2 µs' just under 0.1 ms).
    const us = ms * 1000;
    return `${us === 0 ? '0' : us < 10 ? us.toFixed(1) : Math.round(us)} µs`;
  }
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 100) return `${ms.toFixed(1)} ms`;
  return `${Math.round(ms)} ms`;
}

/** Compact ms for the split line (the unit is in the main label): '0.12', '1.1', '12'. */
export function compactMs(ms: number): string {
  if (ms < 1) return ms.toFixed(2).replace(/^0/, '');
  if (ms < 10) return ms.toFixed(1);
  return String(Math.round(ms));
}

/** Short names for the split line: 'attn.proj' → 'proj'. */
export function shortOp(op: string): string {
  const names: Record<string, string> = { 'attn.proj': 'proj', 'fc.proj': 'proj', 'attn.core': 'core' };
  return names[op] ?? op;
}
