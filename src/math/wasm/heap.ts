// The linear memory shared by the WebAssembly SIMD kernels (gemm.wat, spmm.wat): one per realm (each
// Worker has its own), created here and imported by both modules as env.memory.
//
// Layout, byte addresses, every region 16-byte aligned:
//   [16, residentTop)          resident operands: copies made once by keepResident / keepCsrResident
//   [residentTop, …)           per-call scratch: inputs copied in, outputs copied out
// Memory only grows (WebAssembly cannot shrink it): after a call whose operands take S bytes, the realm
// keeps about S bytes of scratch for the rest of its life.
//
// Residency policy. Copying W into wasm memory costs as much memory traffic as a batch-1 product, so a
// layer run token by token should keep its weights resident. That is opt-in, not automatic by array
// identity, because a cache keyed by identity silently returns stale results when the caller updates
// the weights in place (training does). keepResident(w) copies w once and takes the caller's promise
// that w is not mutated afterwards; releaseResident() drops every copy (call it before loading another
// model). Resident copies share a budget (RESIDENT_BUDGET_BYTES by default, setResidentBudget changes
// it): an operand that does not fit stays non-resident and is copied per call, which is correct, only
// slower at small batch. 256 MiB holds about 9 of gpt2-small's 12 blocks (28 MiB of dense weights per
// block), not its 154 MB token embedding as well; a Worker that owns one path of a small model holds all.

/** Default budget for resident copies, bytes. */
const RESIDENT_BUDGET_BYTES = 256 * 1024 * 1024;

const PAGE_BYTES = 65536;
const ARENA_START = 16;

/** Thrown when the wasm memory cannot grow to what a call needs; matmulFast then takes the JS path. */
export class WasmMemoryError extends RangeError {
  override name = 'WasmMemoryError';
}

// The smallest SIMD function: (func (result v128) i32.const 0 i8x16.splat i8x16.popcnt), the probe
// wasm-feature-detect uses. Validating it compiles nothing.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98,
  11,
]);

let simdSupported: boolean | undefined;
let memory: WebAssembly.Memory | undefined;
let heapF32 = new Float32Array(0);
let heapU32 = new Uint32Array(0);
let residentTop = ARENA_START;
let residentBudget = RESIDENT_BUDGET_BYTES;
let resident = new WeakMap<object, { ptr: number; bytes: number }>();
let residentBytes = 0;

/** Whether this engine validates WebAssembly SIMD (128-bit) code. */
export function wasmSimdSupported(): boolean {
  if (simdSupported === undefined) {
    simdSupported = typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
  }
  return simdSupported;
}

/** The shared memory, created on first use. */
function wasmMemory(): WebAssembly.Memory {
  memory ??= new WebAssembly.Memory({ initial: 1 });
  return memory;
}

/**
 * Instantiate a kernel module against the shared memory, synchronously (allowed for small modules on
 * the main thread and anywhere in a Worker). Null when SIMD is missing or compilation is refused (a page
 * whose CSP forbids wasm): the caller keeps its JS path.
 */
export function instantiateKernel(base64: string): WebAssembly.Exports | null {
  if (!wasmSimdSupported()) return null;
  try {
    const binary = atob(base64);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory: wasmMemory() } }).exports;
  } catch {
    return null;
  }
}

/**
 * A module's named function exports, instantiated on first use and remembered; null (also remembered) where
 * WASM SIMD is missing or an export is not a function. One per kernel host (gemm, spmm, dnn).
 */
export function lazyKernel<T extends object>(
  base64: string,
  names: readonly (keyof T & string)[],
): () => T | null {
  let state: T | null | undefined;
  return () => {
    if (state === undefined) {
      const exports = instantiateKernel(base64);
      const picked = Object.fromEntries(names.map((name) => [name, exports?.[name]]));
      state = names.every((name) => typeof picked[name] === 'function') ? (picked as T) : null;
    }
    return state;
  };
}

// Arithmetic, not `(bytes + 15) & ~15`: that is signed 32-bit and goes negative from 2^31 on.
export const align16 = (bytes: number) => Math.ceil(bytes / 16) * 16;

/**
 * The most memory the kernels use, bytes. The hosts compute addresses as JS numbers and the .wat code
 * as i32, some of it signed; keeping every address below 2^31 keeps both right without auditing every
 * comparison. A call that would need more throws WasmMemoryError and its caller takes its JS path.
 */
export const WASM_MEMORY_LIMIT_BYTES = 2 ** 31;

/**
 * Make memory at least `end` bytes; returns f32 and u32 views of all of it (new after a growth).
 * WasmMemoryError when `end` is over WASM_MEMORY_LIMIT_BYTES or the memory cannot grow.
 */
export function ensureMemory(end: number): { f32: Float32Array; u32: Uint32Array } {
  if (!(end <= WASM_MEMORY_LIMIT_BYTES)) {
    throw new WasmMemoryError(
      `wasm kernels: ${end} bytes needed, over the ${WASM_MEMORY_LIMIT_BYTES}-byte limit of 32-bit addresses`,
    );
  }
  const mem = wasmMemory();
  const have = mem.buffer.byteLength;
  if (end > have) {
    // Grow with 25 % headroom so a run of slightly larger calls does not grow every time.
    const target = Math.min(Math.max(end, have * 1.25), WASM_MEMORY_LIMIT_BYTES);
    const pages = Math.ceil((target - have) / PAGE_BYTES);
    const minPages = Math.ceil((end - have) / PAGE_BYTES);
    try {
      mem.grow(pages);
    } catch {
      try {
        mem.grow(minPages);
      } catch {
        throw new WasmMemoryError(`wasm kernels: cannot grow memory to ${end} bytes`);
      }
    }
  }
  if (heapF32.buffer !== mem.buffer) {
    heapF32 = new Float32Array(mem.buffer);
    heapU32 = new Uint32Array(mem.buffer);
  }
  return { f32: heapF32, u32: heapU32 };
}

/** First byte of per-call scratch (above the resident copies). */
export function scratchBase(): number {
  return residentTop;
}

/** The resident block kept for `key`, if any. */
export function residentBlock(key: object): { ptr: number; bytes: number } | undefined {
  return resident.get(key);
}

/**
 * Reserve `bytes` of resident memory for `key` and let `fill` copy the operand in; false (nothing kept)
 * when over budget or memory cannot grow.
 */
export function reserveResident(key: object, bytes: number, fill: (ptr: number) => void): boolean {
  if (resident.has(key)) return true;
  const size = align16(bytes);
  if (residentBytes + size > residentBudget) return false;
  const ptr = residentTop;
  try {
    ensureMemory(ptr + size);
  } catch (e) {
    if (e instanceof WasmMemoryError) return false;
    throw e;
  }
  fill(ptr);
  resident.set(key, { ptr, bytes: size });
  residentTop = ptr + size;
  residentBytes += size;
  return true;
}

/**
 * Copy a dense weight `w` into wasm memory once; later matmulWasm / matmulFast calls with this same
 * array skip the copy. The caller promises not to modify `w` afterwards. False when it does not fit
 * the budget (w then keeps working, copied per call) or the kernels are unavailable.
 */
export function keepResident(w: Float32Array): boolean {
  if (!wasmSimdSupported()) return false;
  return reserveResident(w, w.length * 4, (ptr) => ensureMemory(ptr + w.length * 4).f32.set(w, ptr >>> 2));
}

/** Whether `key` (a Float32Array or a CsrMatrix) has a resident copy. */
export function isResident(key: object): boolean {
  return resident.has(key);
}

/**
 * Drop resident copies. With a key, forget that one (its space is reused only if it was the last one
 * kept, else at the next full release); with no argument, forget all and reuse the whole arena.
 */
export function releaseResident(key?: object): void {
  if (key === undefined) {
    resident = new WeakMap();
    residentTop = ARENA_START;
    residentBytes = 0;
    return;
  }
  const block = resident.get(key);
  if (!block) return;
  resident.delete(key);
  residentBytes -= block.bytes;
  if (block.ptr + block.bytes === residentTop) residentTop = block.ptr;
}

/** Change the resident budget (bytes); existing copies stay until released. */
export function setResidentBudget(bytes: number): void {
  residentBudget = Math.max(0, bytes);
}

/** Bytes of wasm memory this realm holds (resident copies + scratch high-water mark). */
export function wasmMemoryBytes(): number {
  return memory ? memory.buffer.byteLength : 0;
}
