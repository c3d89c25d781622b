// final_model.pt read without Python: the fixture loads to the same weights as its safetensors twin, and
// hostile files (other callables, truncated zips, wrong storage sizes, huge shapes) give clear errors.
import { describe, expect, it } from 'vitest';
import { PickleError, unpickleStateDict } from '../../src/formats/pickle';
import { decodeTensor, parseSafetensors } from '../../src/formats/safetensors';
import { readTorchCheckpoint } from '../../src/formats/torchCheckpoint';
import { readZipStore } from '../../src/formats/zipStore';
import { parseBeegConfig } from '../../src/model/beegConfig';
import { cspBytes } from '../cspFixtures';
import { storedZip } from '../storedZip';

const latin = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
/** Protocol-2 pickle of {'w': tensor(storage '0', FloatStorage, numel, offset, shape, stride)}. */
function tensorPickle(numel: number, shape: number[], stride: number[], offset = 0): Uint8Array {
  const int = (v: number) =>
    `J${String.fromCharCode(v & 255, (v >> 8) & 255, (v >> 16) & 255, (v >>> 24) & 255)}`;
  const tuple = (xs: number[]) => `(${xs.map(int).join('')}t`;
  return latin(
    '\x80\x02ccollections\nOrderedDict\n)R(X\x01\x00\x00\x00w' +
      'ctorch._utils\n_rebuild_tensor_v2\n' +
      '((X\x07\x00\x00\x00storagectorch\nFloatStorage\nX\x01\x00\x00\x000X\x03\x00\x00\x00cpu' +
      `${int(numel)}tQ${int(offset)}${tuple(shape)}${tuple(stride)}\x89ccollections\nOrderedDict\n)Rt` +
      'Ru.',
  );
}
const floats = (n: number) => new Uint8Array(new Float32Array(n).fill(1.5).buffer);
const checkpoint = (pkl: Uint8Array, storage: Uint8Array) =>
  storedZip([
    ['archive/data.pkl', pkl],
    ['archive/data/0', storage],
  ]);

describe('final_model.pt', () => {
  it('fixture_a.pt holds exactly the tensors of fixture_a.safetensors', () => {
    const pt = readTorchCheckpoint(cspBytes('fixture_a.pt'), 'fixture_a.pt');
    const st = parseSafetensors(cspBytes('fixture_a.safetensors'));
    expect([...pt.tensors.keys()].sort()).toEqual([...st.tensors.keys()].sort());
    for (const [key, t] of st.tensors) {
      const p = pt.tensors.get(key);
      expect(p?.shape, key).toEqual(t.shape);
      expect(p && decodeTensor(p), key).toEqual(decodeTensor(t));
    }
  });

  it('reads a hand-made checkpoint with a storage offset', () => {
    const file = readTorchCheckpoint(checkpoint(tensorPickle(8, [2, 3], [3, 1], 2), floats(8)));
    const t = file.tensors.get('w');
    expect(t?.shape).toEqual([2, 3]);
    expect(t && decodeTensor(t)).toEqual(new Float32Array(6).fill(1.5));
  });

  it('refuses callables other than the tensor rebuild, without running anything', () => {
    const evil = latin('\x80\x02cos\nsystem\nX\x04\x00\x00\x00echo\x85R.');
    expect(() => unpickleStateDict(evil)).toThrow(/refusing to load 'os\.system'/);
    const builtins = latin('\x80\x02c__builtin__\neval\n.');
    expect(() => readTorchCheckpoint(checkpoint(builtins, floats(1)))).toThrow(PickleError);
    // A storage type used as a callable is refused too.
    const call = latin('\x80\x02ctorch\nFloatStorage\n)R.');
    expect(() => unpickleStateDict(call)).toThrow(/REDUCE|refusing to call/);
    // NEWOBJ and INST are not in the subset.
    expect(() => unpickleStateDict(latin('\x80\x02ccollections\nOrderedDict\n)\x81.'))).toThrow(
      /opcode 0x81/,
    );
  });

  it('refuses truncated zips and pickles', () => {
    const good = cspBytes('fixture_a.pt');
    expect(() => readTorchCheckpoint(good.subarray(0, 10))).toThrow(/end-of-central-directory|truncated/);
    expect(() => readTorchCheckpoint(good.subarray(0, good.length - 5000))).toThrow(/truncated|not a zip/);
    expect(() => readZipStore(new Uint8Array(8))).toThrow(/too short/);
    const pkl = tensorPickle(6, [2, 3], [3, 1]);
    for (const cut of [1, 10, 40, 80, 120, pkl.length - 1]) {
      expect(() => readTorchCheckpoint(checkpoint(pkl.subarray(0, cut), floats(6))), `cut ${cut}`).toThrow(
        PickleError,
      );
    }
    expect(() => unpickleStateDict(pkl.subarray(0, pkl.length - 1))).toThrow(/ends early/);
  });

  it('refuses wrong storage sizes, huge shapes and non-contiguous strides', () => {
    expect(() => readTorchCheckpoint(checkpoint(tensorPickle(6, [2, 3], [3, 1]), floats(5)))).toThrow(
      /holds 20 bytes, but 6 × 4-byte elements/,
    );
    expect(() =>
      readTorchCheckpoint(checkpoint(tensorPickle(6, [65536, 65536], [65536, 1]), floats(6))),
    ).toThrow(/needs 4294967296 elements; its storage has 6/);
    expect(() => readTorchCheckpoint(checkpoint(tensorPickle(6, [2, 3], [1, 2]), floats(6)))).toThrow(
      /not contiguous/,
    );
    expect(() => readTorchCheckpoint(storedZip([['archive/data.pkl', tensorPickle(6, [6], [1])]]))).toThrow(
      /storage '0' is missing/,
    );
  });
});

describe('beeg_config.json', () => {
  it('ignores unknown keys, renames n_mlp and defaults sink to false', () => {
    const b = parseBeegConfig(new TextDecoder().decode(cspBytes('fixture_b.beeg_config.json')));
    expect(b.config.dMlp).toBe(64);
    expect(b.config.arch?.sink).toBe(false);
    expect(b.config.arch?.afracLocations).toEqual(['attn_in', 'attn_out', 'mlp_in', 'mlp_out']);
    const a = parseBeegConfig(new TextDecoder().decode(cspBytes('fixture_a.beeg_config.json')));
    expect(a.config.arch).toMatchObject({ norm: 'rmsnorm', activation: 'gelu-erf', sink: true, dHead: 8 });
    expect(a.config.layerNormEps).toBeCloseTo(1.1920929e-7, 12);
  });

  it('names the bad field', () => {
    expect(() => parseBeegConfig('{"d_model": 30, "n_head": 4}')).toThrow(/not divisible/);
    expect(() => parseBeegConfig('{"activation_type": "swish"}')).toThrow(/activation_type/);
    expect(() => parseBeegConfig('{"afrac": 0.5, "afrac_loctypes": "attn_in,nowhere"}')).toThrow(/nowhere/);
    expect(() => parseBeegConfig('{"d_pos_emb": 16}')).toThrow(/not supported/);
    expect(() => parseBeegConfig('[1]')).toThrow(/not a JSON object/);
  });
});
