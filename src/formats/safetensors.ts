// safetensors: 8-byte little-endian u64 header length H, then H bytes of JSON
// { "__metadata__"?: {string: string}, name: { dtype, shape: int[], data_offsets: [begin, end] } },
// then the data section; offsets are relative to its start. Hostile input is expected (files come from
// users): every inconsistency throws a SafetensorsError naming the file and the tensor. No Node APIs.

import { decodeBf16, decodeF16 } from './half';

export class SafetensorsError extends Error {
  override name = 'SafetensorsError';
  constructor(
    readonly fileName: string,
    readonly tensor: string | null,
    message: string,
  ) {
    super(`${fileName}${tensor === null ? '' : `: tensor '${tensor}'`}: ${message}`);
  }
}

/** Bytes per element of every dtype in the format (parse knows them all; decode handles floats). */
export const DTYPE_SIZES: Readonly<Record<string, number>> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E4M3: 1,
  F8_E5M2: 1,
  U16: 2,
  I16: 2,
  F16: 2,
  BF16: 2,
  U32: 4,
  I32: 4,
  F32: 4,
  U64: 8,
  I64: 8,
  F64: 8,
};

export interface SafeTensor {
  name: string;
  dtype: string;
  shape: number[];
  /** The tensor's bytes: a view into the parsed file (no copy). */
  data: Uint8Array;
  /** The file it came from, for error messages. */
  fileName: string;
}

export interface SafetensorsFile {
  fileName: string;
  metadata: Record<string, string>;
  /** In header order. */
  tensors: Map<string, SafeTensor>;
}

/** Larger headers are refused (the reference implementation's limit): a corrupt length must not allocate GBs. */
const MAX_HEADER_BYTES = 100_000_000;

function fail(file: string, tensor: string | null, message: string): never {
  throw new SafetensorsError(file, tensor, message);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseHeaderJson(bytes: Uint8Array, fileName: string): { headerJson: unknown; dataStart: number } {
  if (bytes.length < 8)
    fail(fileName, null, `file is ${bytes.length} bytes, too short for the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenLow = view.getUint32(0, true);
  const lenHigh = view.getUint32(4, true);
  const headerLen = lenHigh * 2 ** 32 + lenLow;
  if (headerLen > MAX_HEADER_BYTES)
    fail(fileName, null, `header length ${headerLen} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  if (8 + headerLen > bytes.length) {
    fail(
      fileName,
      null,
      `header length ${headerLen} runs past the end of the ${bytes.length}-byte file (truncated?)`,
    );
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLen));
  } catch {
    fail(fileName, null, 'header is not valid UTF-8');
  }
  if (!text.startsWith('{')) fail(fileName, null, 'header is not a JSON object');
  try {
    return { headerJson: JSON.parse(text), dataStart: 8 + headerLen };
  } catch (e) {
    return fail(fileName, null, `header is not JSON (${(e as Error).message})`);
  }
}

function parseEntry(
  name: string,
  entry: unknown,
  fileName: string,
  dataLength: number,
): [number, number, string, number[]] {
  if (!isRecord(entry)) fail(fileName, name, 'header entry is not an object');
  const { dtype, shape, data_offsets: offsets } = entry;
  if (typeof dtype !== 'string' || !Object.hasOwn(DTYPE_SIZES, dtype)) {
    fail(fileName, name, `unknown dtype ${JSON.stringify(dtype)}`);
  }
  if (!Array.isArray(shape)) fail(fileName, name, 'shape is not an array');
  let count = 1;
  for (const dim of shape) {
    if (typeof dim !== 'number' || !Number.isSafeInteger(dim) || dim < 0) {
      fail(
        fileName,
        name,
        `shape ${JSON.stringify(shape)} has a dimension that is not a non-negative integer`,
      );
    }
    count *= dim;
  }
  if (!Array.isArray(offsets) || offsets.length !== 2) fail(fileName, name, 'data_offsets is not a pair');
  const [begin, end] = offsets;
  if (
    typeof begin !== 'number' ||
    typeof end !== 'number' ||
    !Number.isSafeInteger(begin) ||
    !Number.isSafeInteger(end)
  ) {
    fail(fileName, name, `data_offsets ${JSON.stringify(offsets)} are not integers`);
  }
  if (begin < 0 || end < begin)
    fail(fileName, name, `data_offsets [${begin}, ${end}] are not an increasing range`);
  if (end > dataLength) {
    fail(
      fileName,
      name,
      `data_offsets [${begin}, ${end}] run past the ${dataLength}-byte data section (truncated?)`,
    );
  }
  const expected = count * DTYPE_SIZES[dtype];
  if (end - begin !== expected) {
    fail(
      fileName,
      name,
      `holds ${end - begin} bytes, but shape ${JSON.stringify(shape)} of ${dtype} needs ${expected}`,
    );
  }
  return [begin, end, dtype, shape.slice()];
}

/** Parse and validate a whole file. Tensors are views into `bytes`. */
export function parseSafetensors(bytes: Uint8Array, fileName = 'model.safetensors'): SafetensorsFile {
  const { headerJson, dataStart } = parseHeaderJson(bytes, fileName);
  if (!isRecord(headerJson)) fail(fileName, null, 'header is not a JSON object');
  const dataLength = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const ranges: [number, number, string][] = [];
  const tensors = new Map<string, SafeTensor>();
  for (const [name, entry] of Object.entries(headerJson)) {
    if (name === '__metadata__') {
      if (!isRecord(entry)) fail(fileName, null, '__metadata__ is not an object');
      for (const [key, value] of Object.entries(entry)) {
        if (typeof value !== 'string') fail(fileName, null, `__metadata__.${key} is not a string`);
        metadata[key] = value;
      }
      continue;
    }
    const [begin, end, dtype, shape] = parseEntry(name, entry, fileName, dataLength);
    ranges.push([begin, end, name]);
    const data = bytes.subarray(dataStart + begin, dataStart + end);
    tensors.set(name, { name, dtype, shape, data, fileName });
  }
  // Overlaps: sort by start; each non-empty range must begin at or after the previous one's end.
  ranges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let lastEnd = 0;
  let lastName = '';
  for (const [begin, end, name] of ranges) {
    if (begin === end) continue; // empty tensors occupy nothing
    if (begin < lastEnd)
      fail(fileName, name, `data [${begin}, ${end}] overlaps tensor '${lastName}' (ends at ${lastEnd})`);
    lastEnd = end;
    lastName = name;
  }
  return { fileName, metadata, tensors };
}

/** Element count of a shape. */
function shapeSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** A tensor as float32 (F32 copied, F16/BF16 converted exactly; F64 rounded). Other dtypes throw. */
export function decodeTensor(t: SafeTensor): Float32Array {
  switch (t.dtype) {
    case 'F32': {
      // Copy into a fresh, aligned buffer: the view may start at any byte (header length is arbitrary).
      return new Float32Array(t.data.slice().buffer);
    }
    case 'F16':
      return decodeF16(t.data);
    case 'BF16':
      return decodeBf16(t.data);
    case 'F64':
      return Float32Array.from(new Float64Array(t.data.slice().buffer));
    default:
      return fail(t.fileName, t.name, `dtype ${t.dtype} cannot be read as floating point weights`);
  }
}

/**
 * A model weight as float32, checked: the expected shape, a dtype that decodes, every value finite. A
 * problem throws `makeError(message)` with the file and tensor named (`name`: the loader's own name for it,
 * default the file's key; each loader keeps its error class).
 */
export function decodeWeight(
  t: SafeTensor,
  shape: readonly number[],
  fileName: string,
  makeError: (message: string) => Error,
  name = t.name,
): Float32Array {
  if (t.shape.length !== shape.length || t.shape.some((s, i) => s !== shape[i]))
    throw makeError(`${fileName}: tensor '${name}' has shape [${t.shape}], expected [${shape}]`);
  let data: Float32Array;
  try {
    data = decodeTensor(t);
  } catch (e) {
    throw makeError(`${fileName}: tensor '${name}': ${(e as Error).message}`);
  }
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]))
      throw makeError(`${fileName}: tensor '${name}' has a non-finite value (${data[i]}) at index ${i}`);
  }
  return data;
}

type WritableTensorData = Float32Array | Float64Array | Uint16Array | Uint8Array | Int32Array | Uint32Array;

export interface WritableTensor {
  /** Must agree with `data`: F32 ← Float32Array, F16/BF16 ← Uint16Array (bits), F64, I32, U32, U8/BOOL/I8. */
  dtype: string;
  shape: number[];
  data: WritableTensorData;
}

/**
 * Serialize tensors (in insertion order) with an optional __metadata__. The header is padded with spaces
 * to a multiple of 8 bytes so every tensor starts 8-aligned, as the reference writer does.
 */
export function writeSafetensors(
  tensors: Record<string, WritableTensor>,
  metadata?: Record<string, string>,
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  const chunks: Uint8Array[] = [];
  for (const [name, t] of Object.entries(tensors)) {
    const size = DTYPE_SIZES[t.dtype];
    if (!size) throw new SafetensorsError('(writer)', name, `unknown dtype ${t.dtype}`);
    const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    if (bytes.length !== shapeSize(t.shape) * size) {
      throw new SafetensorsError(
        '(writer)',
        name,
        `${bytes.length} bytes do not match shape ${JSON.stringify(t.shape)} of ${t.dtype}`,
      );
    }
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes.length] };
    chunks.push(bytes);
    offset += bytes.length;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, json.length, true);
  view.setUint32(4, 0, true);
  out.set(json, 8);
  let pos = 8 + json.length;
  for (const c of chunks) {
    out.set(c, pos);
    pos += c.length;
  }
  return out;
}
