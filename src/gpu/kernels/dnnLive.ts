// Host side of the DNN's activation-sparse GPU path: shaders/dnn_live_layer.wgsl (a layer over the images
// still alive) and shaders/dnn_live_compact.wgsl (keep the images with a nonzero output). The GPU version of
// the CPU's skip-zeros path (src/math/dnn.ts): after each layer the live images are compacted and the
// next layer's grid, written on the GPU, covers only them (dispatchWorkgroupsIndirect), so nothing is
// read back between layers. Exact for a bias ≤ 0 only (an all-zero row then stays zero: max(0 + b, 0) = 0);
// with b > 0 every image stays alive and the caller keeps the plain CSR path.
// Buffers, B = the batch, W = the widest layer: act[2] (B × W f32, packed live rows), sel, ids, alive
// (B u32), state (4 u32: [live, 0, 0, 0]), indirect (3 u32), per layer the CSR arrays and a uniform.
import compactCode from '../../../shaders/dnn_live_compact.wgsl?raw';
import layerCode from '../../../shaders/dnn_live_layer.wgsl?raw';
import type { CsrMatrix } from '../../math/csr';
import { f32Bits, poisonBuffer, readFloat32, storageBuffer, uniformU32, uploadStorage } from '../buffers';
import type { GpuContext } from '../context';
import { bindBuffers, getPipeline, kernelLayout } from '../pipelines';
import { ceilDiv, type Dispatch } from './dispatch';

/** Output neurons per layer workgroup (one per thread) and images per thread (RB in the shader). */
const DNN_LIVE_WG = 64;
const DNN_LIVE_ROWS_PER_THREAD = 8;
const COMPACT_WG = 256;

/** The layer grid for `live` images of an N-wide layer: (⌈N / WG⌉, ⌈live / RB⌉, 1); the shader writes the same. */
export function liveLayerGrid(n: number, live: number): [number, number, number] {
  return [ceilDiv(n, DNN_LIVE_WG), ceilDiv(live, DNN_LIVE_ROWS_PER_THREAD), 1];
}

/** Whether compaction is exact for this network: an image with an all-zero row stays dead only if b ≤ 0. */
export function liveRowsExact(bias: number): boolean {
  return bias <= 0;
}

export class DnnLiveRows {
  private constructor(
    private readonly device: GPUDevice,
    readonly batch: number,
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
    const width = Math.max(layers[0].cols, ...layers.map((w) => w.rows));
    const owned: GPUBuffer[] = [];
    const own = (b: GPUBuffer) => {
      owned.push(b);
      return b;
    };
    const buffers = {
      act: [
        own(storageBuffer(device, 'DnnLive.act0', 4 * batch * width)),
        own(storageBuffer(device, 'DnnLive.act1', 4 * batch * width)),
      ] as [GPUBuffer, GPUBuffer],
      sel: own(storageBuffer(device, 'DnnLive.sel', 4 * batch)),
      ids: own(storageBuffer(device, 'DnnLive.ids', 4 * batch)),
      alive: own(storageBuffer(device, 'DnnLive.alive', 4 * batch)),
      state: own(storageBuffer(device, 'DnnLive.state', 16)),
      indirect: own(storageBuffer(device, 'DnnLive.indirect', 12, GPUBufferUsage.INDIRECT)),
    };
    // NaN until written: a row the layer skipped but the compaction kept shows up as NaN, never as 0.
    for (const b of buffers.act) poisonBuffer(device, b, 4 * batch * width);
    const layer = kernelLayout(device, 'DnnLive.layer', [6, 2, 1]);
    const compact = kernelLayout(device, 'DnnLive.compact', [0, 5, 1]);
    const layerLayout = layer.bindGroupLayout;
    const compactLayout = compact.bindGroupLayout;
    const [layerPipeline, compactPipeline] = await Promise.all([
      getPipeline(device, {
        shader: { id: 'dnn_live_layer', code: layerCode },
        layout: layer.pipelineLayout,
        constants: { WG: DNN_LIVE_WG, RB: DNN_LIVE_ROWS_PER_THREAD },
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
          uniformU32(device, `${L}.params`, [w.rows, w.cols, f32Bits(opts.bias), f32Bits(opts.ymax)]),
        );
        const nextN = layers[l + 1]?.rows ?? w.rows;
        const next = own(uniformU32(device, `${L}.next`, [nextN, DNN_LIVE_WG, DNN_LIVE_ROWS_PER_THREAD]));
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
    return new DnnLiveRows(device, batch, widths, buffers, dispatches, owned);
  }

  /** The two packed activation buffers (ping-pong). */
  get act(): [GPUBuffer, GPUBuffer] {
    return this.buffers.act;
  }

  /** Y₀ (batch × K₀, dense row-major) in, every image alive: identity sel and ids, the first layer's grid. */
  reset(x0: Float32Array): void {
    const { queue } = this.device;
    const { act, sel, ids, alive, state, indirect } = this.buffers;
    queue.writeBuffer(act[0], 0, x0.buffer, x0.byteOffset, x0.byteLength);
    const identity = new Uint32Array(this.batch);
    for (let i = 0; i < this.batch; i++) identity[i] = i;
    queue.writeBuffer(sel, 0, identity);
    queue.writeBuffer(ids, 0, identity);
    queue.writeBuffer(alive, 0, new Uint32Array(this.batch));
    queue.writeBuffer(state, 0, new Uint32Array([this.batch, 0, 0, 0]));
    queue.writeBuffer(indirect, 0, new Uint32Array(liveLayerGrid(this.widths[0], this.batch)));
  }

  /**
   * The last layer's output as a full (batch × N) matrix: live rows from the GPU, zeros for the rest.
   * After the last compaction, kept row i is image ids[i], found at packed row sel[i] of the output.
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
    const rows = await readFloat32(device, this.buffers.act[layerCount % 2], 4 * (sel[live - 1] + 1) * n);
    for (let i = 0; i < live; i++) y.set(rows.subarray(sel[i] * n, (sel[i] + 1) * n), ids[i] * n);
    return { y, live };
  }

  dispose(): void {
    for (const b of this.owned) b.destroy();
  }
}
