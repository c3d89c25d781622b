import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeBf16,
  decodeF16,
  encodeF16,
  floatToBf16,
  floatToHalf,
  halfToFloat,
} from '../../src/formats/half';
import {
  decodeTensor,
  parseSafetensors,
  SafetensorsError,
  writeSafetensors,
} from '../../src/formats/safetensors';

/** A file from a raw header object and a data section (for hostile headers the writer would refuse). */
function rawFile(header: unknown, data: Uint8Array, headerText = JSON.stringify(header)): Uint8Array {
  const json = new TextEncoder().encode(headerText);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const sample = () =>
  writeSafetensors(
    {
      a: { dtype: 'F32', shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, -6]) },
      h: { dtype: 'F16', shape: [3], data: encodeF16(new Float32Array([0.5, -2, 65504])) },
      s: { dtype: 'F32', shape: [], data: new Float32Array([7]) },
      e: { dtype: 'F32', shape: [0, 4], data: new Float32Array(0) },
    },
    { format: 'pt' },
  );

describe('safetensors round trip', () => {
  it('writes and parses F32, F16, scalars and empty tensors, with metadata', () => {
    const file = parseSafetensors(sample(), 'x.safetensors');
    expect(file.metadata).toEqual({ format: 'pt' });
    expect([...file.tensors.keys()]).toEqual(['a', 'h', 's', 'e']);
    const a = file.tensors.get('a');
    expect(a?.shape).toEqual([2, 3]);
    expect(a && Array.from(decodeTensor(a))).toEqual([1, 2, 3, 4, 5, -6]);
    const h = file.tensors.get('h');
    expect(h && Array.from(decodeTensor(h))).toEqual([0.5, -2, 65504]);
    const s = file.tensors.get('s');
    expect(s && Array.from(decodeTensor(s))).toEqual([7]);
    const e = file.tensors.get('e');
    expect(e && decodeTensor(e).length).toBe(0);
  });

  it('decodes F32 at an unaligned offset', () => {
    // Header length 9 (not padded): data starts at byte 17.
    const f = rawFile({}, new Uint8Array(4), '{"t":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}');
    new DataView(f.buffer).setFloat32(f.length - 4, 1.25, true);
    const t = parseSafetensors(f).tensors.get('t');
    expect(t && decodeTensor(t)[0]).toBe(1.25);
  });
});

describe('half precision', () => {
  it('decodes every half exactly (subnormals, inf, nan) and round-trips through the encoder', () => {
    const bytes = new Uint8Array(65536 * 2);
    for (let h = 0; h < 65536; h++) {
      bytes[2 * h] = h & 0xff;
      bytes[2 * h + 1] = h >>> 8;
    }
    const all = decodeF16(bytes);
    expect(all[0x0001]).toBe(2 ** -24); // smallest subnormal
    expect(all[0x03ff]).toBe(1023 * 2 ** -24); // largest subnormal
    expect(all[0x0400]).toBe(2 ** -14); // smallest normal
    expect(all[0x7bff]).toBe(65504);
    expect(all[0x7c00]).toBe(Number.POSITIVE_INFINITY);
    expect(all[0xfc00]).toBe(Number.NEGATIVE_INFINITY);
    expect(Number.isNaN(all[0x7e00])).toBe(true);
    expect(Object.is(all[0x8000], -0)).toBe(true);
    expect(all[0x3c00]).toBe(1);
    expect(all[0xc000]).toBe(-2);
    const mismatches: number[] = [];
    for (let h = 0; h < 65536; h++) {
      if (Number.isNaN(all[h])) continue;
      if (floatToHalf(all[h]) !== h || !Object.is(halfToFloat(h), all[h])) mismatches.push(h);
    }
    expect(mismatches).toEqual([]);
  });

  it('rounds to nearest even and overflows to inf', () => {
    expect(floatToHalf(1 + 2 ** -11)).toBe(0x3c00); // tie → even (down)
    expect(floatToHalf(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie → even (up)
    expect(floatToHalf(65520)).toBe(0x7c00);
    expect(floatToHalf(2 ** -25)).toBe(0); // half of the smallest subnormal: tie → 0
    expect(floatToHalf(1.5 * 2 ** -25)).toBe(1);
  });

  it('bfloat16 decode and encode agree', () => {
    const vals = [1, -2.5, 3.140625, 0, Number.POSITIVE_INFINITY];
    const bits = new Uint16Array(vals.map(floatToBf16));
    expect(Array.from(decodeBf16(new Uint8Array(bits.buffer)))).toEqual(vals);
  });
});

describe('hostile files', () => {
  const data = new Uint8Array(16);
  const cases: [string, Uint8Array, RegExp][] = [
    ['shorter than 8 bytes', new Uint8Array(5), /too short/],
    [
      'header length past the end',
      (() => {
        const f = sample().slice();
        new DataView(f.buffer).setUint32(0, 1e6, true);
        return f;
      })(),
      /past the end/,
    ],
    [
      'enormous header length',
      (() => {
        const f = sample().slice();
        new DataView(f.buffer).setUint32(4, 5, true);
        return f;
      })(),
      /limit/,
    ],
    ['header not JSON', rawFile(null, data, '{not json'), /not JSON/],
    ['header an array', rawFile(null, data, '[1,2]'), /not a JSON object/],
    [
      'unknown dtype',
      rawFile({ t: { dtype: 'F7', shape: [1], data_offsets: [0, 4] } }, data),
      /tensor 't'.*unknown dtype/,
    ],
    [
      'negative shape',
      rawFile({ t: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, data),
      /tensor 't'.*non-negative integer/,
    ],
    [
      'non-integer shape',
      rawFile({ t: { dtype: 'F32', shape: [1.5], data_offsets: [0, 4] } }, data),
      /non-negative integer/,
    ],
    [
      'offsets out of range',
      rawFile({ t: { dtype: 'F32', shape: [8], data_offsets: [0, 32] } }, data),
      /tensor 't'.*run past/,
    ],
    [
      'offsets reversed',
      rawFile({ t: { dtype: 'F32', shape: [1], data_offsets: [8, 4] } }, data),
      /increasing/,
    ],
    [
      'size mismatch',
      rawFile({ t: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, data),
      /tensor 't'.*needs 12/,
    ],
    [
      'overlap',
      rawFile(
        {
          a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
          b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
        },
        data,
      ),
      /tensor 'b'.*overlaps tensor 'a'/,
    ],
    ['bad metadata', rawFile({ __metadata__: { x: 1 } }, data), /__metadata__/],
  ];
  for (const [what, bytes, message] of cases) {
    it(`${what} → SafetensorsError naming the file`, () => {
      let error: unknown;
      try {
        parseSafetensors(bytes, 'evil.safetensors');
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(SafetensorsError);
      expect(String((error as Error).message)).toMatch(/^evil\.safetensors/);
      expect(String((error as Error).message)).toMatch(message);
    });
  }

  it('decodeTensor refuses integer dtypes, naming the tensor', () => {
    const f = writeSafetensors({ ids: { dtype: 'I32', shape: [2], data: new Int32Array([1, 2]) } });
    const t = parseSafetensors(f, 'ids.safetensors').tensors.get('ids');
    expect(() => t && decodeTensor(t)).toThrow(/ids\.safetensors: tensor 'ids': dtype I32/);
  });

  it('fuzz: random corruptions give a valid parse or a SafetensorsError, never a crash or hang', () => {
    const base = sample();
    const check = (bytes: Uint8Array) => {
      try {
        const file = parseSafetensors(bytes, 'fuzz.safetensors');
        for (const t of file.tensors.values()) {
          try {
            decodeTensor(t);
          } catch (e) {
            if (!(e instanceof SafetensorsError)) throw e;
          }
        }
      } catch (e) {
        if (!(e instanceof SafetensorsError)) throw e;
      }
    };
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.nat(base.length),
        (edits, cut) => {
          const bytes = base.slice(0, cut === 0 ? base.length : cut); // 0: no truncation
          for (const [pos, value] of edits) if (pos < bytes.length) bytes[pos] = value;
          check(bytes);
        },
      ),
      { numRuns: 1000 },
    );
    // Structured corruption: valid JSON with random field values.
    const fieldValue = fc.oneof(
      fc.integer({ min: -5, max: 1 << 20 }),
      fc.double(),
      fc.string(),
      fc.constant(null),
      fc.array(fc.integer({ min: -3, max: 64 }), { maxLength: 4 }),
    );
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.string({ maxLength: 4 }),
          fc.record({
            dtype: fc.constantFrom('F32', 'F16', 'BF16', 'I8', 'F64', 'XX', 3),
            shape: fieldValue,
            data_offsets: fieldValue,
          }),
          { maxKeys: 4 },
        ),
        fc.nat(64),
        (header, dataLength) => check(rawFile(header, new Uint8Array(dataLength))),
      ),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => check(bytes)),
      { numRuns: 1000 },
    );
  });
});
