// Host side of the WebAssembly SIMD DNN kernel (dnn.wat): the whole layered network over the images
// still alive, 8 images a group, interleaved [group][neuron][8 images] so one layer's output is the next
// one's input as it stands. After each layer the kernel reports every image's largest output; with a bias
// ≤ 0 an image whose outputs are all 0 stays 0 for good, so when the live images fit in fewer groups they
// are gathered into fresh groups (dnn.wat's repack) and the dead ones never cost anything again. With a
// bias > 0 every image is kept (an all-zero row still gives clamp(b) > 0 next layer).
// Memory, byte addresses, 16-byte aligned regions:
//   each layer (resident, copied once per CsrMatrix while heap.ts's budget allows; else copied into
//   scratch each run): rowPtr (N+1 u32) | pairs (nnz × (column·32 as u32, weight as f32))
//   scratch, per chunk of images: activations A and B (groups·maxWidth·32 bytes each) | live (groups·32) |
//   from (images·4)
// Each layer's time includes its share of host work: copying it into scratch when it is over the
// residency budget (every run), packing the CSR input into groups (layer 1), reading the liveness and
// repacking (every layer), writing the dense result (the last layer). Not counted: a resident layer's
// one-time copy (the first run's, a warm-up under the measurement protocol, like loading the weights).
import type { CsrMatrix } from '../csr';
import { DNN_WASM_BASE64 } from './dnn.wasm';
import { align16, ensureMemory, lazyKernel, reserveResident, residentBlock, scratchBase } from './heap';

type LayerExport = (
  x: number,
  y: number,
  groups: number,
  K: number,
  N: number,
  rowPtr: number,
  pairs: number,
  bias: number,
  ymax: number,
  live: number,
) => void;
type RepackExport = (src: number, dst: number, K: number, from: number, count: number) => void;

interface DnnKernel {
  layer: LayerExport;
  repack: RepackExport;
}

export interface DnnWasmOptions {
  /**
   * Run each layer's kernel again until this many ms have passed (at most MAX_LAYER_REPEATS calls) and
   * report the mean: for a timer coarser than a layer (a browser's performance.now, 0.1 ms, against
   * ≈ 0.03 ms for a layer of a few live images). Default 0: one call, the run's true wall time.
   */
  minLayerMs?: number;
}

const MAX_LAYER_REPEATS = 1000;

/** Images per group: two f32x4 lanes' worth, one 32-byte row per neuron. */
const LANES = 8;

const dnnKernel = lazyKernel<DnnKernel>(DNN_WASM_BASE64, ['layer', 'repack']);

/** True when the SIMD DNN kernel is compiled and usable in this realm. */
export function wasmDnnAvailable(): boolean {
  return dnnKernel() !== null;
}

/** Each layer's residency key: a fresh object (the CsrMatrix itself keys spmmWasm's own layout). */
const layerKeys = new WeakMap<CsrMatrix, object>();

/** A layer's block: rowPtr (N + 1 u32), then from this byte on the (column·32, weight) pairs. */
const pairsOffset = (w: CsrMatrix) => align16((w.rows + 1) * 4);
const layerBytes = (w: CsrMatrix) => align16(pairsOffset(w) + w.nnz * 8);

function copyLayer(w: CsrMatrix, ptr: number): void {
  const { f32, u32 } = ensureMemory(ptr + layerBytes(w));
  u32.set(w.rowPtr, ptr >>> 2);
  const pairs = (ptr + pairsOffset(w)) >>> 2;
  for (let i = 0; i < w.nnz; i++) {
    u32[pairs + 2 * i] = w.colIdx[i] * LANES * 4;
    f32[pairs + 2 * i + 1] = w.values[i];
  }
}

/**
 * Each layer's block address: resident (copied once per CsrMatrix, heap.ts's budget) or, over the budget,
 * copied into scratch for this run. Returns the addresses, the first scratch byte after them and each
 * layer's time copying into scratch (0 for a resident one), which belongs to that layer's time.
 */
function placeLayers(layers: readonly CsrMatrix[]): { at: number[]; scratch: number; copyMs: number[] } {
  const at = layers.map((w) => {
    let key = layerKeys.get(w);
    if (!key) {
      key = {};
      layerKeys.set(w, key);
    }
    const kept = reserveResident(key, layerBytes(w), (ptr) => copyLayer(w, ptr));
    return kept ? (residentBlock(key)?.ptr ?? -1) : -1;
  });
  let scratch = scratchBase(); // above every resident block reserved just now
  const copyMs = new Array<number>(layers.length).fill(0);
  layers.forEach((w, l) => {
    if (at[l] >= 0) return;
    const t0 = performance.now();
    at[l] = scratch;
    copyLayer(w, scratch);
    scratch = align16(scratch + layerBytes(w));
    copyMs[l] = performance.now() - t0;
  });
  return { at, scratch, copyMs };
}

/**
 * Layers (out×in CSR, Nₗ × Kₗ, Kₗ₊₁ = Nₗ) applied to `input` (images × K₀, CSR):
 * Yₗ₊₁ = min(max(Yₗ · Wₗᵀ + bias, 0), ymax), accumulated in f32 (dnn.wat says in what order) then the
 * bias, `bias` used as its f32 value. Returns the final activations (images × N_last, dense) and each
 * layer's wall time. The layers arrays are copied into wasm memory once and kept (heap.ts's residency:
 * the caller promises not to modify them). Images go through in chunks of CHUNK_IMAGES, so the scratch
 * stays under ≈ 2 · CHUNK_IMAGES · width · 4 bytes whatever the batch. Throws when unavailable (check
 * wasmDnnAvailable) or memory cannot grow.
 * layerMs[l]: layer l's kernel time (the mean over layerRepeats[l] calls) plus its host work, once,
 * including its copy into scratch when it is not resident.
 */
export function runDnnWasm(
  layers: readonly CsrMatrix[],
  input: CsrMatrix,
  bias: number,
  ymax: number,
  opts: DnnWasmOptions = {},
): { layerMs: number[]; y: Float32Array; layerRepeats: number[] } {
  const kernel = dnnKernel();
  if (!kernel) throw new Error('runDnnWasm: WebAssembly SIMD is not available here');
  const { at, scratch, copyMs } = placeLayers(layers);
  const width = layers[layers.length - 1].rows;
  const run: ChunkRun = {
    kernel,
    layers,
    at,
    scratch,
    input,
    bias: Math.fround(bias),
    ymax,
    minLayerMs: opts.minLayerMs ?? 0,
    out: new Float32Array(input.rows * width),
    layerMs: copyMs, // each over-budget layer's copy into scratch, then added to chunk by chunk
    layerRepeats: new Array<number>(layers.length).fill(1),
  };
  for (let first = 0; first < input.rows; first += CHUNK_IMAGES) {
    runChunk(run, first, Math.min(CHUNK_IMAGES, input.rows - first));
  }
  return { layerMs: run.layerMs, y: run.out, layerRepeats: run.layerRepeats };
}

/** Images per pass through all the layers (a multiple of LANES): 16 MiB of activations at width 1024. */
const CHUNK_IMAGES = 2048;

interface ChunkRun {
  kernel: DnnKernel;
  layers: readonly CsrMatrix[];
  at: number[]; // each layer's block (placeLayers)
  scratch: number;
  input: CsrMatrix;
  bias: number;
  ymax: number;
  minLayerMs: number;
  out: Float32Array;
  layerMs: number[]; // added to, chunk by chunk
  layerRepeats: number[]; // the most any chunk made
}

/** Images first..first+count−1 through every layer; their final rows into run.out. */
function runChunk(run: ChunkRun, first: number, count: number): void {
  const { kernel, layers, at, input, bias, ymax, minLayerMs } = run;
  const maxWidth = Math.max(input.cols, ...layers.map((w) => w.rows));
  let groups = Math.ceil(count / LANES);
  const bufBytes = groups * maxWidth * LANES * 4;
  const bufA = run.scratch;
  const bufB = bufA + bufBytes;
  const live = bufB + bufBytes;
  const from = live + groups * LANES * 4;
  const { f32, u32 } = ensureMemory(from + count * 4);

  const tPack = performance.now();
  // Layer 1's input: image first + i in group i/8, lane i%8; the padded lanes are 0.
  const K0 = input.cols;
  f32.fill(0, bufA >>> 2, (bufA >>> 2) + groups * K0 * LANES);
  for (let i = 0; i < count; i++) {
    const at = (bufA >>> 2) + Math.floor(i / LANES) * K0 * LANES + (i % LANES);
    for (let p = input.rowPtr[first + i]; p < input.rowPtr[first + i + 1]; p++)
      f32[at + input.colIdx[p] * LANES] = input.values[p];
  }
  const packMs = performance.now() - tPack;
  let slots = new Int32Array(groups * LANES).fill(-1); // slot → image, −1 for a padded lane
  for (let i = 0; i < count; i++) slots[i] = first + i;
  let x = bufA;
  let y = bufB;
  layers.forEach((w, l) => {
    // The kernel reads x and writes y only, so a repeat computes the same y (see minLayerMs).
    const tKernel = performance.now();
    let repeats = 0;
    let kernelMs = 0;
    do {
      kernel.layer(x, y, groups, w.cols, w.rows, at[l], at[l] + pairsOffset(w), bias, ymax, live);
      repeats++;
      kernelMs = performance.now() - tKernel;
    } while (kernelMs < minLayerMs && repeats < MAX_LAYER_REPEATS);
    const tHost = performance.now();
    [x, y] = [y, x]; // x: this layer's output
    if (bias <= 0) {
      let alive = 0;
      for (let s = 0; s < groups * LANES; s++) {
        if (slots[s] >= 0 && f32[(live >>> 2) + s] !== 0) u32[(from >>> 2) + alive++] = s;
      }
      if (Math.ceil(alive / LANES) < groups) {
        kernel.repack(x, y, w.rows, from, alive);
        const kept = new Int32Array(Math.ceil(alive / LANES) * LANES).fill(-1);
        for (let s = 0; s < alive; s++) kept[s] = slots[u32[(from >>> 2) + s]];
        slots = kept;
        groups = Math.ceil(alive / LANES);
        [x, y] = [y, x];
      }
    }
    run.layerMs[l] += kernelMs / repeats + (performance.now() - tHost) + (l === 0 ? packMs : 0);
    run.layerRepeats[l] = Math.max(run.layerRepeats[l], repeats);
  });
  // The dense result: each kept image's column of its group, the dead ones left 0.
  const tOut = performance.now();
  const width = layers[layers.length - 1].rows;
  for (let s = 0; s < slots.length; s++) {
    const image = slots[s];
    if (image < 0) continue;
    const at = (x >>> 2) + Math.floor(s / LANES) * width * LANES + (s % LANES);
    for (let n = 0; n < width; n++) run.out[image * width + n] = f32[at + n * LANES];
  }
  run.layerMs[layers.length - 1] += performance.now() - tOut;
}
