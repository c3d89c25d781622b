// Turn per-pass GPU times into the LayerTiming records every consumer reads: each pass as measured, plus
// the 'attn' and 'mlp' totals of every block (the numbers the scene's overlays show).
import type { KernelChoiceOrigin, LayerTiming, TimerSourceName, WeightPath } from '../contracts';

export interface PassTime {
  layer: number;
  op: string;
  ms: number;
  /** Runs inside the timed pass (the time is per run). */
  repeats?: number;
  /** The pass's linear kernel and how it was chosen. */
  kernel?: { kernel: string; how: KernelChoiceOrigin };
}

/** Passes that make up a block's attention and MLP sub-blocks (residual adds included). */
const ATTN_OPS = ['ln1', 'qkv', 'attn.topk', 'attn.core', 'attn.proj', 'attn.add'];
const MLP_OPS = ['ln2', 'fc', 'fc.act', 'fc.proj', 'mlp.add'];

export function layerTimings(passes: PassTime[], path: WeightPath, source: TimerSourceName): LayerTiming[] {
  const out: LayerTiming[] = passes.map((p) => ({
    layer: p.layer,
    op: p.op,
    path,
    ms: p.ms,
    source,
    ...((p.repeats ?? 1) > 1 ? { repeats: p.repeats } : {}),
    ...(p.kernel ? { kernel: p.kernel.kernel, chosen: p.kernel.how } : {}),
  }));
  const totals = new Map<string, { layer: number; op: string; ms: number }>();
  for (const p of passes) {
    const group = ATTN_OPS.includes(p.op) ? 'attn' : MLP_OPS.includes(p.op) ? 'mlp' : null;
    if (!group) continue;
    const key = `${p.layer}:${group}`;
    const t = totals.get(key) ?? { layer: p.layer, op: group, ms: 0 };
    t.ms += p.ms;
    totals.set(key, t);
  }
  for (const t of totals.values()) out.push({ ...t, path, source });
  return out;
}

/** Total of one path's block-level times ('attn' + 'mlp' per layer, plus embed, lnf and unembed). */
export function totalMs(timings: LayerTiming[], path: WeightPath): number {
  const top = new Set(['attn', 'mlp', 'embed', 'lnf', 'unembed', 'bigram']);
  return timings.filter((t) => t.path === path && top.has(t.op)).reduce((s, t) => s + t.ms, 0);
}
