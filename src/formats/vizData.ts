// The circuit_sparsity release's viewer data, `viz_data.pt` (FORMATS.md in ../shared/data/circuit-sparsity):
// a torch.save'd plain dict read through the same safe unpickler as final_model.pt (pickle.ts: containers,
// numbers, strings, tensors; anything callable is refused). Only what the circuit display needs is taken:
//   circuit_data            {location → 1-D integer tensor of retained channel indices}
//   importances.loss        task loss of the whole model   } both stored as 2× the true value
//   importances.interv_loss task loss of the pruned circuit }  (viz.py 191, 196, 781): halved here
//   importances.pair_data   list of edge matrices (counted only)    num_total_nodes (optional)
// Locations are gpt.py's hook names: `{L}.attn.act_in|q|k|v|resid_delta`, `{L}.mlp.act_in|post_act|
// resid_delta`, `final_resid`; checkVizCircuit checks them and every index against a model's shape.

import type { PickleTensor, PickleValue } from './pickle';
import type { SafeTensor } from './safetensors';
import { openTorchArchive } from './torchCheckpoint';

class VizDataError extends Error {
  override name = 'VizDataError';
}

export interface VizCircuit {
  fileName: string;
  /** Location (gpt.py hook name) → kept channel indices, ascending. */
  nodes: Map<string, number[]>;
  nodeCount: number;
  /** `num_total_nodes` when stored. */
  totalNodes: number | null;
  /** True task loss (stored value / 2) of the whole model and of the circuit, when stored. */
  loss: number | null;
  circuitLoss: number | null;
  /** Entries of `importances.pair_data` (edge matrices between locations), 0 when absent. */
  pairCount: number;
}

const isTensor = (v: PickleValue): v is PickleTensor =>
  typeof v === 'object' && v !== null && (v as PickleTensor).kind === 'tensor';

/** Integer values of a 1-D index tensor (int64/int32/…), each a non-negative safe integer below 2^31. */
function indices(t: SafeTensor, fail: (m: string) => never): number[] {
  if (t.shape.length !== 1) fail(`'${t.name}' has shape [${t.shape}]; a 1-D index list was expected`);
  const view = new DataView(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  const n = t.shape[0];
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    let v: number;
    if (t.dtype === 'I64') {
      if (view.getInt32(8 * i + 4, true) !== 0) fail(`'${t.name}'[${i}] is not a channel index`);
      v = view.getUint32(8 * i, true);
    } else if (t.dtype === 'I32') v = view.getInt32(4 * i, true);
    else if (t.dtype === 'I16') v = view.getInt16(2 * i, true);
    else if (t.dtype === 'U8') v = view.getUint8(i);
    else return fail(`'${t.name}' holds ${t.dtype} values; channel indices must be integers`);
    if (v < 0 || v >= 2 ** 31) fail(`'${t.name}'[${i}] = ${v} is not a channel index`);
    out[i] = v;
  }
  return out;
}

/** A Python float or int, or a one-element float tensor, as a number. */
function scalar(v: PickleValue | undefined, name: string, view: (t: PickleTensor) => SafeTensor) {
  if (typeof v === 'number') return v;
  if (v !== undefined && isTensor(v) && v.shape.reduce((a, b) => a * b, 1) === 1) {
    const t = view(v);
    const dv = new DataView(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    if (t.dtype === 'F32') return dv.getFloat32(0, true);
    if (t.dtype === 'F64') return dv.getFloat64(0, true);
  }
  if (v === undefined || v === null) return null;
  throw new VizDataError(`${name} is not a number`);
}

export function readVizData(bytes: Uint8Array, fileName = 'viz_data.pt'): VizCircuit {
  const fail = (message: string): never => {
    throw new VizDataError(`${fileName}: ${message}`);
  };
  const archive = openTorchArchive(bytes, fileName);
  const root = archive.root;
  if (!(root instanceof Map)) return fail('does not hold a dict at the top level');
  const circuit = root.get('circuit_data');
  if (!(circuit instanceof Map))
    return fail(`no 'circuit_data' dict (keys: ${[...root.keys()].slice(0, 12).join(', ')})`);
  const nodes = new Map<string, number[]>();
  let nodeCount = 0;
  for (const [location, value] of circuit) {
    if (typeof location !== 'string') fail(`circuit_data key ${String(location)} is not a string`);
    if (!isTensor(value)) return fail(`circuit_data['${location}'] is not a tensor`);
    const list = indices(archive.tensor(`circuit_data['${location}']`, value), fail);
    const sorted = [...list].sort((a, b) => a - b);
    for (let i = 1; i < sorted.length; i++)
      if (sorted[i] === sorted[i - 1]) fail(`circuit_data['${location}'] holds channel ${sorted[i]} twice`);
    nodes.set(location as string, sorted);
    nodeCount += sorted.length;
  }
  const importances = root.get('importances');
  const imp = importances instanceof Map ? importances : new Map<string | number, PickleValue>();
  const view = (t: PickleTensor) => archive.tensor('importances', t);
  const half = (x: number | null) => (x === null ? null : x / 2);
  const total = root.get('num_total_nodes');
  const pairs = imp.get('pair_data');
  return {
    fileName,
    nodes,
    nodeCount,
    totalNodes: typeof total === 'number' ? total : null,
    loss: half(scalar(imp.get('loss'), `${fileName}: importances.loss`, view)),
    circuitLoss: half(scalar(imp.get('interv_loss'), `${fileName}: importances.interv_loss`, view)),
    pairCount: Array.isArray(pairs) ? pairs.length : 0,
  };
}

/** What a location indexes: the residual (d_model), q/k/v (n_head·d_head) or the MLP neurons (d_mlp). */
type VizSpace = 'resid' | 'attn' | 'mlp';
export interface VizLocation {
  /** Block index, −1 for final_resid. */
  block: number;
  /** act_in, q, k, v, resid_delta (attn or mlp), post_act, final_resid. */
  kind: string;
  module: 'attn' | 'mlp' | 'final';
  space: VizSpace;
}

const KINDS: Record<'attn' | 'mlp', Record<string, VizSpace>> = {
  attn: { act_in: 'resid', q: 'attn', k: 'attn', v: 'attn', resid_delta: 'resid' },
  mlp: { act_in: 'resid', post_act: 'mlp', resid_delta: 'resid' },
};

/** Parses a gpt.py hook name, or null when it is not one. */
export function parseVizLocation(name: string): VizLocation | null {
  if (name === 'final_resid') return { block: -1, kind: 'final_resid', module: 'final', space: 'resid' };
  const m = /^(\d{1,4})\.(attn|mlp)\.([a-z_]+)$/.exec(name);
  if (!m) return null;
  const module = m[2] as 'attn' | 'mlp';
  const space = KINDS[module][m[3]];
  return space ? { block: Number(m[1]), kind: m[3], module, space } : null;
}

/** Throws a VizDataError naming the first location or index that does not fit a model of this shape. */
export function checkVizCircuit(
  viz: VizCircuit,
  shape: { nLayer: number; dModel: number; dMlp: number; attnWidth: number },
): void {
  const sizes: Record<VizSpace, number> = { resid: shape.dModel, attn: shape.attnWidth, mlp: shape.dMlp };
  for (const [name, list] of viz.nodes) {
    const loc = parseVizLocation(name);
    if (!loc)
      throw new VizDataError(
        `${viz.fileName}: unknown circuit location '${name}' (expected <layer>.attn.act_in|q|k|v|resid_delta, <layer>.mlp.act_in|post_act|resid_delta or final_resid)`,
      );
    if (loc.block >= shape.nLayer)
      throw new VizDataError(
        `${viz.fileName}: '${name}' names layer ${loc.block}; the model has ${shape.nLayer}`,
      );
    const size = sizes[loc.space];
    const bad = list.find((i) => i >= size);
    if (bad !== undefined)
      throw new VizDataError(
        `${viz.fileName}: '${name}' keeps channel ${bad}, but that location has ${size} channels in this model (not the model this circuit was found on?)`,
      );
  }
}
