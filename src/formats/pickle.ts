// A safe reader for the pickle subset a PyTorch state_dict uses (protocol 2–4): containers, numbers,
// strings, memo, persistent ids, and calls to exactly two callables — collections.OrderedDict and
// torch._utils._rebuild_tensor_v2 — which are interpreted here, never executed. Every other GLOBAL,
// every other call (REDUCE, NEWOBJ, BUILD on anything but an OrderedDict, INST, OBJ, EXT*) is refused
// with a PickleError naming the opcode and its byte offset. No Node APIs.

export class PickleError extends Error {
  override name = 'PickleError';
}

interface PickleTuple {
  kind: 'tuple';
  items: PickleValue[];
}
/** A reference to an allowed global (a class or function), never called. */
interface PickleGlobal {
  kind: 'global';
  module: string;
  name: string;
}
/** What BINPERSID returned: PyTorch's ('storage', type, key, location, numel). */
export interface PickleStorage {
  kind: 'storage';
  storageType: string;
  key: string;
  location: string;
  numel: number;
}
/** The arguments of one torch._utils._rebuild_tensor_v2 call. */
export interface PickleTensor {
  kind: 'tensor';
  storage: PickleStorage;
  offset: number;
  shape: number[];
  stride: number[];
}
export type PickleValue =
  | null
  | boolean
  | number
  | string
  | PickleValue[]
  | Map<string | number, PickleValue>
  | PickleTuple
  | PickleGlobal
  | PickleStorage
  | PickleTensor;

/** Storage classes a persistent id may name (the key is `module.name`). */
export const TORCH_STORAGE_TYPES: Readonly<Record<string, string>> = {
  'torch.FloatStorage': 'F32',
  'torch.HalfStorage': 'F16',
  'torch.BFloat16Storage': 'BF16',
  'torch.DoubleStorage': 'F64',
  'torch.LongStorage': 'I64',
  'torch.IntStorage': 'I32',
  'torch.ShortStorage': 'I16',
  'torch.CharStorage': 'I8',
  'torch.ByteStorage': 'U8',
  'torch.BoolStorage': 'BOOL',
};
const ORDERED_DICT = 'collections.OrderedDict';
const REBUILD_TENSOR = 'torch._utils._rebuild_tensor_v2';

const MAX_DEPTH = 100_000;
const MARK = Symbol('mark');
type StackItem = PickleValue | typeof MARK;

const isTuple = (v: unknown): v is PickleTuple =>
  typeof v === 'object' && v !== null && (v as PickleTuple).kind === 'tuple';
const isGlobal = (v: unknown): v is PickleGlobal =>
  typeof v === 'object' && v !== null && (v as PickleGlobal).kind === 'global';

/** Unpickle `bytes`, allowing only a state_dict's vocabulary (see the file comment). */
export function unpickleStateDict(bytes: Uint8Array, fileName = 'data.pkl'): PickleValue {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: StackItem[] = [];
  const memo = new Map<number, PickleValue>();
  const latin1 = new TextDecoder('latin1');
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  let pos = 0;
  let opAt = 0;
  const fail = (message: string): never => {
    throw new PickleError(`${fileName}: ${message} (at byte ${opAt})`);
  };
  const need = (n: number) => {
    if (pos + n > bytes.length) fail(`pickle ends early: needs ${n} more bytes (truncated?)`);
  };
  /** The next n bytes (checked), advancing the cursor. */
  const take = (n: number): Uint8Array => {
    need(n);
    pos += n;
    return bytes.subarray(pos - n, pos);
  };
  const u8 = (): number => take(1)[0];
  const u16 = (): number => view.getUint16(take(2).byteOffset - bytes.byteOffset, true);
  const u32 = (): number => view.getUint32(take(4).byteOffset - bytes.byteOffset, true);
  const line = (): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0 || end - pos > 1000) fail('GLOBAL name is not newline-terminated');
    const s = latin1.decode(bytes.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const push = (v: PickleValue) => {
    if (stack.length >= MAX_DEPTH) fail('pickle stack too deep');
    stack.push(v);
  };
  const pop = (): PickleValue => {
    const v = stack.pop();
    if (v === undefined) fail('pickle stack underflow');
    if (v === MARK) fail('unexpected MARK on the stack');
    return v as PickleValue;
  };
  const popMark = (): PickleValue[] => {
    const i = stack.lastIndexOf(MARK);
    if (i < 0) fail('no MARK on the stack');
    const items = stack.splice(i) as PickleValue[];
    items.shift();
    return items;
  };
  const top = (): PickleValue => {
    const v = stack[stack.length - 1];
    if (v === undefined || v === MARK) fail('pickle stack underflow');
    return v as PickleValue;
  };
  const dictKey = (k: PickleValue): string | number =>
    typeof k === 'string' || typeof k === 'number' ? k : fail('a dict key is not a string or integer');
  const setItems = (target: PickleValue, kv: PickleValue[]) => {
    if (!(target instanceof Map)) fail('SETITEM(S) on something that is not a dict');
    if (kv.length % 2 !== 0) fail('SETITEMS with an odd number of values');
    const map = target as Map<string | number, PickleValue>;
    for (let i = 0; i < kv.length; i += 2) map.set(dictKey(kv[i]), kv[i + 1]);
  };
  const appendItems = (target: PickleValue, items: PickleValue[]) => {
    if (!Array.isArray(target)) fail('APPEND(S) on something that is not a list');
    (target as PickleValue[]).push(...items);
  };
  const global = (module: string, name: string): PickleGlobal => {
    const full = `${module}.${name}`;
    if (full !== ORDERED_DICT && full !== REBUILD_TENSOR && !Object.hasOwn(TORCH_STORAGE_TYPES, full))
      fail(`refusing to load '${full}': only tensors, storages and OrderedDict may appear in a state_dict`);
    return { kind: 'global', module, name };
  };
  const memoGet = (i: number): PickleValue => {
    const v = memo.get(i);
    if (v === undefined) fail(`memo entry ${i} was never stored`);
    return v as PickleValue;
  };

  for (;;) {
    opAt = pos;
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        if (u8() > 5) fail('unknown pickle protocol');
        break;
      case 0x95: // FRAME (length is advisory)
        take(8);
        break;
      case 0x2e: // STOP
        if (stack.length !== 1) fail(`pickle stopped with ${stack.length} values on the stack`);
        return pop();
      case 0x28: // MARK
        stack.push(MARK);
        break;
      case 0x29: // EMPTY_TUPLE
        push({ kind: 'tuple', items: [] });
        break;
      case 0x5d: // EMPTY_LIST
        push([]);
        break;
      case 0x7d: // EMPTY_DICT
        push(new Map());
        break;
      case 0x4e: // NONE
        push(null);
        break;
      case 0x88: // NEWTRUE
        push(true);
        break;
      case 0x89: // NEWFALSE
        push(false);
        break;
      case 0x4a: // BININT
        need(4);
        push(view.getInt32(pos, true));
        pos += 4;
        break;
      case 0x4b: // BININT1
        push(u8());
        break;
      case 0x4d: // BININT2
        push(u16());
        break;
      case 0x8a: {
        // LONG1: little-endian two's complement, at most 7 bytes here (safe integers)
        const n = u8();
        if (n > 7) fail(`integer of ${n} bytes is too large`);
        const b = take(n);
        let v = 0;
        for (let i = n - 1; i >= 0; i--) v = v * 256 + b[i];
        if (n > 0 && b[n - 1] & 0x80) v -= 2 ** (8 * n);
        push(v);
        break;
      }
      case 0x47: // BINFLOAT (big-endian f64)
        need(8);
        push(view.getFloat64(pos, false));
        pos += 8;
        break;
      case 0x58: // BINUNICODE
        push(decodeUtf8(utf8, take(u32()), fail));
        break;
      case 0x8c: // SHORT_BINUNICODE
        push(decodeUtf8(utf8, take(u8()), fail));
        break;
      case 0x74: // TUPLE
        push({ kind: 'tuple', items: popMark() });
        break;
      case 0x85: // TUPLE1
        push({ kind: 'tuple', items: [pop()] });
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        push({ kind: 'tuple', items: [pop(), b] });
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        push({ kind: 'tuple', items: [pop(), b, c] });
        break;
      }
      case 0x6c: // LIST
        push(popMark());
        break;
      case 0x64: {
        // DICT
        const map = new Map<string | number, PickleValue>();
        setItems(map, popMark());
        push(map);
        break;
      }
      case 0x61: {
        // APPEND
        const v = pop();
        appendItems(top(), [v]);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        appendItems(top(), items);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const kv = popMark();
        setItems(top(), kv);
        break;
      }
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
        push(memoGet(u8()));
        break;
      case 0x6a: // LONG_BINGET
        push(memoGet(u32()));
        break;
      case 0x30: // POP
        stack.pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        push(top());
        break;
      case 0x63: {
        // GLOBAL
        const module = line();
        push(global(module, line()));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL needs two strings');
        push(global(module as string, name as string));
        break;
      }
      case 0x51: // BINPERSID
        push(persistentStorage(pop(), fail));
        break;
      case 0x52: {
        // REDUCE: only the two allowed callables, interpreted
        const args = pop();
        const callable = pop();
        push(reduce(callable, args, fail));
        break;
      }
      case 0x62: {
        // BUILD: an OrderedDict's state (state_dict's `_metadata`) is read and dropped
        const state = pop();
        const target = top();
        if (!(target instanceof Map) || !(state instanceof Map || isTuple(state) || state === null))
          fail('BUILD is only allowed on an OrderedDict');
        break;
      }
      default:
        fail(
          `unsupported pickle opcode 0x${op.toString(16).padStart(2, '0')}; only a plain state_dict is read`,
        );
    }
  }
}

function decodeUtf8(decoder: TextDecoder, b: Uint8Array, fail: (m: string) => never): string {
  try {
    return decoder.decode(b);
  } catch {
    return fail('a string is not valid UTF-8');
  }
}

function persistentStorage(pid: PickleValue, fail: (m: string) => never): PickleStorage {
  if (!isTuple(pid) || pid.items.length !== 5 || pid.items[0] !== 'storage')
    fail("persistent id is not ('storage', type, key, location, numel)");
  const [, type, key, location, numel] = (pid as PickleTuple).items;
  if (!isGlobal(type) || !Object.hasOwn(TORCH_STORAGE_TYPES, `${type.module}.${type.name}`))
    fail('persistent id names no known torch storage type');
  if (typeof key !== 'string' || typeof location !== 'string') fail('persistent id key/location not strings');
  if (typeof numel !== 'number' || !Number.isSafeInteger(numel) || numel < 0)
    fail('persistent id element count is not a non-negative integer');
  const t = type as PickleGlobal;
  return {
    kind: 'storage',
    storageType: `${t.module}.${t.name}`,
    key: key as string,
    location: location as string,
    numel: numel as number,
  };
}

function intTuple(v: PickleValue, what: string, fail: (m: string) => never): number[] {
  if (!isTuple(v)) return fail(`${what} is not a tuple`);
  if (v.items.length > 8) fail(`${what} has ${v.items.length} dimensions (at most 8)`);
  return v.items.map((x) =>
    typeof x === 'number' && Number.isSafeInteger(x) && x >= 0 ? x : fail(`${what} holds ${String(x)}`),
  );
}

function reduce(callable: PickleValue, args: PickleValue, fail: (m: string) => never): PickleValue {
  if (!isGlobal(callable)) return fail('REDUCE on something that is not an allowed callable');
  if (!isTuple(args)) return fail('REDUCE arguments are not a tuple');
  const full = `${callable.module}.${callable.name}`;
  if (full === ORDERED_DICT) {
    if (args.items.length !== 0) fail('OrderedDict(...) with arguments is not supported');
    return new Map();
  }
  if (full !== REBUILD_TENSOR) return fail(`refusing to call '${full}'`);
  const [storage, offset, size, stride] = args.items;
  if (args.items.length < 6 || args.items.length > 7) fail('_rebuild_tensor_v2 takes 6 or 7 arguments');
  if (typeof storage !== 'object' || storage === null || (storage as PickleStorage).kind !== 'storage')
    fail('_rebuild_tensor_v2: first argument is not a storage');
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0)
    fail('_rebuild_tensor_v2: storage offset is not a non-negative integer');
  const shape = intTuple(size, 'tensor shape', fail);
  const strides = intTuple(stride, 'tensor stride', fail);
  if (shape.length !== strides.length) fail('tensor shape and stride lengths differ');
  return {
    kind: 'tensor',
    storage: storage as PickleStorage,
    offset: offset as number,
    shape,
    stride: strides,
  };
}
