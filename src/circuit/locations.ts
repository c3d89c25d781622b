// Circuit node locations of a GPT-2 (the sparsescope-circuit/1 definitions): per block l
//   h.l.attn.in (LayerNorm-1 output, d) · h.l.attn.q / .k / .v (c_attn output, d each, head-major)
//   h.l.attn.out (c_proj output before the residual add, d) · h.l.mlp.in (LayerNorm-2 output, d)
//   h.l.mlp.neuron (GELU output, dMlp) · h.l.mlp.out (MLP c_proj output before the residual add, d)
// and ln_f (final LayerNorm output, d). All nodes of a model live in one flat array (gates, means) in
// this order, so q, k and v of a block are contiguous exactly like the columns of c_attn's output.

import type { Gpt2Config } from '../model/config';

const BLOCK_LOCATIONS = [
  'attn.in',
  'attn.q',
  'attn.k',
  'attn.v',
  'attn.out',
  'mlp.in',
  'mlp.neuron',
  'mlp.out',
] as const;
type BlockLocation = (typeof BLOCK_LOCATIONS)[number];

interface NodeLocation {
  /** 'h.0.attn.in', …, 'ln_f'. */
  name: string;
  /** Block index, −1 for ln_f. */
  block: number;
  kind: BlockLocation | 'ln_f';
  size: number;
  /** First index of this location in the flat node array. */
  offset: number;
}

export interface NodeLayout {
  locations: NodeLocation[];
  /** Total node count. */
  total: number;
}

const layouts = new WeakMap<object, NodeLayout>();

type LayoutConfig = Pick<Gpt2Config, 'nLayer' | 'dModel' | 'dMlp'>;

/** Every location of a model with this shape, in the flat order. */
export function nodeLayout(config: LayoutConfig): NodeLayout {
  const cached = layouts.get(config);
  if (cached) return cached;
  const { nLayer, dModel: d, dMlp } = config;
  const locations: NodeLocation[] = [];
  let offset = 0;
  for (let l = 0; l < nLayer; l++) {
    for (const kind of BLOCK_LOCATIONS) {
      const size = kind === 'mlp.neuron' ? dMlp : d;
      locations.push({ name: `h.${l}.${kind}`, block: l, kind, size, offset });
      offset += size;
    }
  }
  locations.push({ name: 'ln_f', block: -1, kind: 'ln_f', size: d, offset });
  const layout = { locations, total: offset + d };
  layouts.set(config, layout);
  return layout;
}

/** The location called `name`, or an error naming the valid ones. */
function locationOf(layout: NodeLayout, name: string): NodeLocation {
  const loc = layout.locations.find((l) => l.name === name);
  if (!loc)
    throw new Error(`no node location "${name}" (expected h.<block>.<${BLOCK_LOCATIONS.join('|')}> or ln_f)`);
  return loc;
}

/** Offset of a block's location in the flat array. */
export function offsetOf(layout: NodeLayout, block: number, kind: BlockLocation | 'ln_f'): number {
  const loc = layout.locations.find((l) => l.block === (kind === 'ln_f' ? -1 : block) && l.kind === kind);
  if (!loc) throw new Error(`no node location ${kind} in block ${block}`);
  return loc.offset;
}

/** Kept node indices per location from a 0/1 keep array (flat order). */
export function keptByLocation(layout: NodeLayout, keep: ArrayLike<number>): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const loc of layout.locations) {
    const ids: number[] = [];
    for (let i = 0; i < loc.size; i++) if (keep[loc.offset + i] > 0) ids.push(i);
    out[loc.name] = ids;
  }
  return out;
}

/** The flat 0/1 keep array from per-location indices; unknown names and out-of-range indices are errors. */
export function keepFromLocations(
  layout: NodeLayout,
  nodes: Record<string, readonly number[]>,
): Float32Array {
  const keep = new Float32Array(layout.total);
  for (const [name, ids] of Object.entries(nodes)) {
    const loc = locationOf(layout, name);
    for (const i of ids) {
      if (!Number.isInteger(i) || i < 0 || i >= loc.size)
        throw new Error(`node ${name}[${i}] is outside 0..${loc.size - 1}`);
      keep[loc.offset + i] = 1;
    }
  }
  return keep;
}
