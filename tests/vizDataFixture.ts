// A viz_data.pt written the way torch.save writes it (protocol-2 pickle in archive/data.pkl, raw
// little-endian storages in archive/data/N), with the structure FORMATS.md reads out of viz.py: circuit_data,
// importances (losses ×2, ch_interv_losses, layer_interv_losses, pair_data, pair_data_connections,
// task_samples), samples keyed by float quantiles, all_loss, num_total_nodes, prune_config,
// beeg_model_config. No real file could be downloaded here; this follows the format description exactly.
import { storedZip } from './storedZip';

export class PyFloat {
  constructor(readonly value: number) {}
}
class PyTuple {
  constructor(readonly items: PyValue[]) {}
}
export class PyTensor {
  constructor(
    readonly dtype: 'I64' | 'F32',
    readonly shape: number[],
    readonly values: number[],
  ) {}
}
export type PyValue =
  | null
  | boolean
  | number
  | string
  | PyFloat
  | PyTuple
  | PyTensor
  | PyValue[]
  | Map<string | number | PyFloat, PyValue>;

const STORAGE = { I64: 'LongStorage', F32: 'FloatStorage' } as const;

/** torch.save(obj) as bytes: a STORED zip with archive/data.pkl, archive/data/N, byteorder, version. */
export function torchSave(obj: PyValue): Uint8Array {
  const out: number[] = [0x80, 2];
  const storages: Uint8Array[] = [];
  const bytes = (s: string) => {
    for (const b of new TextEncoder().encode(s)) out.push(b);
  };
  const u32 = (v: number) => out.push(v & 255, (v >> 8) & 255, (v >> 16) & 255, (v >>> 24) & 255);
  const str = (s: string) => {
    const b = new TextEncoder().encode(s);
    out.push(0x58);
    u32(b.length);
    for (const x of b) out.push(x);
  };
  const global = (module: string, name: string) => {
    out.push(0x63);
    bytes(`${module}\n${name}\n`);
  };
  const int = (v: number) => {
    if (v >= 0 && v < 256) out.push(0x4b, v);
    else if (v >= -(2 ** 31) && v < 2 ** 31) {
      out.push(0x4a);
      u32(v >>> 0);
    } else {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setBigInt64(0, BigInt(v), true);
      out.push(0x8a, 7, ...b.slice(0, 7));
    }
  };
  const float = (v: number) => {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, v, false);
    out.push(0x47, ...b);
  };
  const tuple = (items: (() => void)[]) => {
    out.push(0x28);
    for (const item of items) item();
    out.push(0x74);
  };
  const tensor = (t: PyTensor) => {
    const size = t.dtype === 'I64' ? 8 : 4;
    const data = new Uint8Array(t.values.length * size);
    const dv = new DataView(data.buffer);
    t.values.forEach((v, i) => {
      if (t.dtype === 'I64') dv.setBigInt64(8 * i, BigInt(v), true);
      else dv.setFloat32(4 * i, v, true);
    });
    const key = String(storages.length);
    storages.push(data);
    const strides = t.shape.map((_, i) => t.shape.slice(i + 1).reduce((a, b) => a * b, 1));
    global('torch._utils', '_rebuild_tensor_v2');
    tuple([
      () => {
        tuple([
          () => str('storage'),
          () => global('torch', STORAGE[t.dtype]),
          () => str(key),
          () => str('cpu'),
          () => int(t.values.length),
        ]);
        out.push(0x51); // BINPERSID
      },
      () => int(0),
      () => tuple(t.shape.map((d) => () => int(d))),
      () => tuple(strides.map((s) => () => int(s))),
      () => out.push(0x89), // requires_grad False
      () => {
        global('collections', 'OrderedDict');
        out.push(0x29, 0x52); // EMPTY_TUPLE, REDUCE
      },
    ]);
    out.push(0x52); // REDUCE
  };
  const value = (v: PyValue): void => {
    if (v === null) out.push(0x4e);
    else if (v === true || v === false) out.push(v ? 0x88 : 0x89);
    else if (typeof v === 'number') int(v);
    else if (typeof v === 'string') str(v);
    else if (v instanceof PyFloat) float(v.value);
    else if (v instanceof PyTuple) tuple(v.items.map((x) => () => value(x)));
    else if (v instanceof PyTensor) tensor(v);
    else if (Array.isArray(v)) {
      out.push(0x5d, 0x28); // EMPTY_LIST, MARK
      for (const x of v) value(x);
      out.push(0x65); // APPENDS
    } else {
      out.push(0x7d, 0x28); // EMPTY_DICT, MARK
      for (const [k, x] of v) {
        value(k);
        value(x);
      }
      out.push(0x75); // SETITEMS
    }
  };
  value(obj);
  out.push(0x2e);
  return storedZip([
    ['archive/data.pkl', Uint8Array.from(out)],
    ['archive/byteorder', new TextEncoder().encode('little')],
    ...storages.map((s, i): [string, Uint8Array] => [`archive/data/${i}`, s]),
    ['archive/version', new TextEncoder().encode('3\n')],
  ]);
}

const f = (v: number) => new PyFloat(v);
const ids = (...v: number[]) => new PyTensor('I64', [v.length], v);
const acts = (n: number, seed: number) =>
  new PyTensor(
    'F32',
    [n],
    Array.from({ length: n }, (_, i) => Math.sin(seed + i)),
  );

/** The kept channels of the fixture circuit (for fixture_a's shape: 2 layers, d 32, 4×8 heads, MLP 128). */
export const VIZ_NODES: Record<string, number[]> = {
  '0.attn.act_in': [3, 17],
  '0.attn.q': [0, 9],
  '0.attn.k': [1],
  '0.attn.v': [31, 2],
  '0.attn.resid_delta': [5],
  '0.mlp.act_in': [5, 6],
  '0.mlp.post_act': [100, 7, 64],
  '0.mlp.resid_delta': [11],
  '1.attn.act_in': [11],
  '1.attn.v': [4],
  '1.attn.resid_delta': [12],
  '1.mlp.act_in': [12],
  '1.mlp.post_act': [127],
  '1.mlp.resid_delta': [0],
  final_resid: [0, 12],
};

/** A viz_data.pt dict following FORMATS.md; `circuit` replaces the node lists when given. */
export function vizDataObject(circuit: Map<string | number | PyFloat, PyValue> | null = null): PyValue {
  const nodes =
    circuit ?? new Map<string, PyValue>(Object.entries(VIZ_NODES).map(([k, v]) => [k, ids(...v)]));
  const chLosses = new Map<string, PyValue>(
    Object.entries(VIZ_NODES).map(([k, v], i) => [k, acts(v.length, i)]),
  );
  const pair = [
    new PyTensor('F32', [3, 2], [0.5, -0.25, 1, 0, 0.125, 2]),
    [3, 17, 'bias'],
    [0, 9],
    new PyTuple(['0.attn.act_in', '0.attn.q']),
  ];
  const quantiles = new Map<PyFloat, PyValue>(
    [0.001, 0.01, 0.1, 0.5].map((q) => [
      f(q),
      new PyTuple([[new PyTuple([[1, 2, 3], [f(0.1), f(0.2), f(0.3)], 1])], []]),
    ]),
  );
  return new Map<string, PyValue>([
    ['circuit_data', nodes],
    [
      'importances',
      new Map<string, PyValue>([
        ['loss', f(2 * 0.25)],
        ['interv_loss', f(2 * 0.375)],
        ['ch_interv_losses', chLosses],
        [
          'layer_interv_losses',
          new Map<string, PyValue>([
            ['0.attn', f(0.1)],
            ['1.mlp', f(0.2)],
          ]),
        ],
        ['pair_data', [pair]],
        ['pair_data_connections', [pair]],
        [
          'task_samples',
          [
            new PyTensor('I64', [2, 4], [5, 6, 7, 0, 8, 9, 0, 0]),
            new Map<string, PyValue>([['0.attn.q', new Map<number, PyValue>([[9, acts(8, 3)]])]]),
          ],
        ],
      ]),
    ],
    ['samples', new Map<string, PyValue>([['0.attn.q', new Map<number, PyValue>([[9, quantiles]])]])],
    ['all_loss', [new PyTuple([0, f(1.5)]), new PyTuple([100, f(0.75)])]],
    ['num_total_nodes', 2 * (5 * 32 + 128 + 2 * 32 + 32) + 32],
    [
      'prune_config',
      new Map<string, PyValue>([
        ['k', 20],
        ['lr', f(0.01)],
        ['task', 'fixture'],
      ]),
    ],
    [
      'beeg_model_config',
      new Map<string, PyValue>([
        ['n_layer', 2],
        ['d_model', 32],
        ['d_pos_emb', null],
      ]),
    ],
  ]);
}
