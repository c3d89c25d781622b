// Host side of the DNN's activation-sparse GPU path: shaders/dnn_live_layer.wgsl (a layer over the images
// still alive) and shaders/dnn_live_compact.wgsl (keep the images with a nonzero output). The GPU version of
// the CPU's skip-zeros path (src/math/dnn.ts): after each layer the live images are compacted and the
// next layer's grid, written on the GPU, covers only them (dispatchWorkgroupsIndirect), so nothing is
// read back between layers. Exact for a bias ≤ 0 only (an all-zero row then stays zero: max(0 + b, 0) = 0);
// with b > 0 every image stays alive and the caller keeps the plain CSR path.
// Activations are image-major (a neuron's values for every image slot are contiguous; docs/kernels.md says
// why), so adjacent invocations read adjacent images.
// Buffers, B = the batch, S = B rounded up to 4 (image slots), W = the widest layer: act[2] (W × S f32,
// neuron-major, live images packed in the first slots), sel, ids, alive (S u32), state (4 u32: [live, 0, 0,
// 0]), indirect (3 u32), per layer the CSR arrays and two uniforms.
import compactCode from '../../../shaders/dnn_live_compact.wgsl?raw';
import layerCode from '../../../shaders/dnn_live_layer.wgsl?raw';
import type { CsrMatrix } from '../../math/csr';
import { f32Bits, poisonBuffer, readFloat32, storageBuffer, uniformU32, uploadStorage } from '../buffers';
import type { GpuContext } from '../context';
import { bindBuffers, getPipeline, kernelLayout, wgslConstU32 } from '../pipelines';
import { ceilDiv, type Dispatch, linearGrid } from './dispatch';

/** Layer workgroup size, the compaction's, and the grid's x limit (the spec's minimum, as linearGrid's). */
const DNN_LIVE_WG = 64;
const COMPACT_WG = 64;
const MAX_GRID_X = 65535;
/** Image slots per layer thread: 4 quads of 4 (QUADS_PER_THREAD in the shader, read from its text). */
const IMAGES_PER_THREAD = 4 * wgslConstU32({ id: 'dnn_live_layer', code: layerCode }, 'QUADS_PER_THREAD');

/** Image slots of a batch: rounded up to whole quads (the layer reads and writes vec4s of slots). */
export function liveSlots(batch: number): number {
  return 4 * ceilDiv(batch, 4);
}

/**
 * The layer grid for `live` images of an N-wide layer: ⌈live / 16⌉ · N threads, folded by linearGrid;
 * the compaction shader writes the same for the next layer.
 */
export function liveLayerGrid(n: number, live: number): [number, number, number] {
  return linearGrid(ceilDiv(live, IMAGES_PER_THREAD) * n, DNN_LIVE_WG, MAX_GRID_X);
}

/** Whether compaction is exact for this network: an image with an all-zero row stays dead only if b ≤ 0. */
export function liveRowsExact(bias: number): boolean {
  return bias <= 0;
}

export class DnnLiveRows {
  private constructor(
    private readonly device: GPUDevice,
    readonly batch: number,
    private readonly slots: number,
    private readonly widths: number[],
    private readonly buffers: {
      act: [GPUBuffer, GPUBuffer];
      sel: GPUBuffer;
      ids: GPUBuffer;
      alive: GPUBuffer;
      state: GPUBuffer;
      indirect: GPUBuffer;
    },
    /** Per layer: the layer, then the compaction for the next. */
    readonly layers: Dispatch[][],
    private readonly owned: GPUBuffer[],
  ) {}

  static async create(
    ctx: GpuContext,
    layers: readonly CsrMatrix[],
    opts: { bias: number; ymax: number; batch: number; between?: () => Promise<void> },
  ): Promise<DnnLiveRows> {
    const { device } = ctx;
    if (!liveRowsExact(opts.bias))
      throw new Error(`DnnLiveRows: bias ${opts.bias} > 0 keeps every image alive`);
    const { batch } = opts;
    const slots = liveSlots(batch);
    const width = Math.max(layers[0].cols, ...layers.map((w) => w.rows));
    const owned: GPUBuffer[] = [];
    const own = (b: GPUBuffer) => {
      owned.push(b);
      return b;
    };
    const buffers = {
      act: [
        own(storageBuffer(device, 'DnnLive.act0', 4 * slots * width)),
        own(storageBuffer(device, 'DnnLive.act1', 4 * slots * width)),
      ] as [GPUBuffer, GPUBuffer],
      sel: own(storageBuffer(device, 'DnnLive.sel', 4 * slots)),
      ids: own(storageBuffer(device, 'DnnLive.ids', 4 * slots)),
      alive: own(storageBuffer(device, 'DnnLive.alive', 4 * slots)),
      state: own(storageBuffer(device, 'DnnLive.state', 16)),
      indirect: own(storageBuffer(device, 'DnnLive.indirect', 12, GPUBufferUsage.INDIRECT)),
    };
    // NaN until written: a slot the layer skipped but the compaction kept shows up as NaN, never as 0.
    for (const b of buffers.act) poisonBuffer(device, b, 4 * slots * width);
    const layer = kernelLayout(device, 'DnnLive.layer', [6, 2, 1]);
    const compact = kernelLayout(device, 'DnnLive.compact', [0, 5, 1]);
    const layerLayout = layer.bindGroupLayout;
    const compactLayout = compact.bindGroupLayout;
    const [layerPipeline, compactPipeline] = await Promise.all([
      getPipeline(device, {
        shader: { id: 'dnn_live_layer', code: layerCode },
        layout: layer.pipelineLayout,
        constants: { WG: DNN_LIVE_WG },
      }),
      getPipeline(device, {
        shader: { id: 'dnn_live_compact', code: compactCode },
        layout: compact.pipelineLayout,
        constants: { WG: COMPACT_WG },
      }),
    ]);
    const bind = (layout: GPUBindGroupLayout, label: string, list: GPUBuffer[]) =>
      bindBuffers(device, label, layout, list);
    const dispatches: Dispatch[][] = [];
    try {
      for (const [l, w] of layers.entries()) {
        const L = `DnnLive.W${l + 1}`;
        const csr = [
          own(uploadStorage(device, `${L}.rowPtr`, w.rowPtr)),
          own(uploadStorage(device, `${L}.colIdx`, w.colIdx)),
          own(uploadStorage(device, `${L}.values`, w.values)),
        ];
        const params = own(
          uniformU32(device, `${L}.params`, [
            w.rows,
            w.cols,
            f32Bits(opts.bias),
            f32Bits(opts.ymax),
            slots / 4,
          ]),
        );
        const nextN = layers[l + 1]?.rows ?? w.rows;
        const next = own(
          uniformU32(device, `${L}.next`, [nextN, DNN_LIVE_WG, IMAGES_PER_THREAD, MAX_GRID_X]),
        );
        const { act, sel, ids, alive, state, indirect } = buffers;
        const x = act[l % 2];
        const y = act[(l + 1) % 2];
        dispatches.push([
          {
            label: `${L}.layer`,
            pipeline: layerPipeline,
            bindGroup: bind(layerLayout, `${L}.layer.bindGroup`, [x, sel, ...csr, state, y, alive, params]),
            workgroups: liveLayerGrid(w.rows, batch), // the most it can be; the real grid is `indirect`
            indirect,
            uniforms: [], // params and every other buffer belong to this object (dispose)
          },
          {
            label: `${L}.compact`,
            pipeline: compactPipeline,
            bindGroup: bind(compactLayout, `${L}.compact.bindGroup`, [
              alive,
              sel,
              ids,
              state,
              indirect,
              next,
            ]),
            workgroups: [1, 1, 1],
            uniforms: [],
          },
        ]);
        await opts.between?.();
      }
    } catch (err) {
      for (const b of owned) b.destroy();
      throw err;
    }
    const widths = layers.map((w) => w.rows);
    return new DnnLiveRows(device, batch, slots, widths, buffers, dispatches, owned);
  }

  /** The two activation buffers (ping-pong), image-major (width × S). */
  get act(): [GPUBuffer, GPUBuffer] {
    return this.buffers.act;
  }

  /**
   * Y₀ (batch × K₀ CSR) in, stored image-major (K₀ × S); every image alive: identity sel and ids, the first
   * layer's grid. Slots past the batch hold zeros and are never flagged alive.
   */
  reset(x0: CsrMatrix): void {
    const { queue } = this.device;
    const { act, sel, ids, alive, state, indirect } = this.buffers;
    const { slots } = this;
    const xT = new Float32Array(x0.cols * slots);
    for (let b = 0; b < x0.rows; b++) {
      for (let i = x0.rowPtr[b]; i < x0.rowPtr[b + 1]; i++) xT[x0.colIdx[i] * slots + b] = x0.values[i];
    }
    queue.writeBuffer(act[0], 0, xT);
    const identity = new Uint32Array(slots);
    for (let i = 0; i < slots; i++) identity[i] = i;
    queue.writeBuffer(sel, 0, identity);
    queue.writeBuffer(ids, 0, identity);
    queue.writeBuffer(alive, 0, new Uint32Array(slots));
    queue.writeBuffer(state, 0, new Uint32Array([this.batch, 0, 0, 0]));
    queue.writeBuffer(indirect, 0, new Uint32Array(liveLayerGrid(this.widths[0], this.batch)));
  }

  /**
   * The last layer's output as a full (batch × N) row-major matrix: live images from the GPU, zeros for the
   * rest. After the last compaction, kept image i is image ids[i], found at slot sel[i] of the (N × S) output.
   */
  async read(): Promise<{ y: Float32Array; live: number }> {
    const { device } = this;
    const layerCount = this.widths.length;
    const n = this.widths[layerCount - 1];
    const u32 = (f: Float32Array) => new Uint32Array(f.buffer, f.byteOffset, f.length);
    const live = u32(await readFloat32(device, this.buffers.state, 4))[0];
    const y = new Float32Array(this.batch * n);
    if (live === 0) return { y, live };
    const [ids, sel] = (
      await Promise.all([
        readFloat32(device, this.buffers.ids, 4 * live),
        readFloat32(device, this.buffers.sel, 4 * live),
      ])
    ).map(u32);
    const { slots } = this;
    const yT = await readFloat32(device, this.buffers.act[layerCount % 2], 4 * n * slots);
    for (let i = 0; i < live; i++) {
      const row = ids[i] * n;
      for (let j = 0; j < n; j++) y[row + j] = yT[j * slots + sel[i]];
    }
    return { y, live };
  }

  dispose(): void {
    for (const b of this.owned) b.destroy();
  }
}
