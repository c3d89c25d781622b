// WebGPU inference of a layered sparse network (src/model/dnn.ts), Yₗ₊₁ = min(max(Yₗ · Wₗᵀ + b, 0), ymax):
// every layer one fused kernel (CSR SpMM or dense matmul, ReLU-clamp epilogue) reading one activation
// buffer and writing the other (ping-pong). The sparse path with b ≤ 0 runs each layer on the images still
// alive, compacted on the GPU after every layer (src/gpu/kernels/dnnLive.ts); `allImages` turns that off.
// Each layer is its own timed compute pass, all in one submit.
// Buffers: act[0], act[1]: (B × maxWidth) f32 row-major (the live-images path: image-major, dnnLive.ts); bias: (N) f32, N copies of b per distinct width;
// sparse: each Wₗ (Nₗ × Kₗ out×in) as CSR buffers; dense: each Wₗ as (Nₗ × Kₗ) f32 row-major.

import { poisonBuffer, readFloat32, storageBuffer, uploadStorage } from '../gpu/buffers';
import type { GpuContext } from '../gpu/context';
import { type Dispatch, disposeDispatches } from '../gpu/kernels/dispatch';
import { DnnLiveRows, liveRowsExact } from '../gpu/kernels/dnnLive';
import { DenseMatmul } from '../gpu/kernels/matmul';
import { CsrSpmm } from '../gpu/kernels/spmmCsr';
import { OwnedResources } from '../gpu/owned';
import type { TimerSource } from '../gpu/timer';
import { GpuTiming } from '../gpu/timing';
import type { CsrMatrix } from '../math/csr';
import type { DnnPath, DnnResult } from '../math/dnn';
import { dnnCategories, type SparseDnn } from '../model/dnn';

export interface DnnGpuResult extends DnnResult {
  timerSource: TimerSource;
}

export interface DnnGpuPlanOptions {
  /** Dense path: each layer's (Nₗ × Kₗ) row-major copy when the caller holds them already (not made again). */
  dense?: readonly Float32Array[];
  /**
   * Awaited after each layer's upload, e.g. the app's nextTask: a dense plan writes 4 MB a layer (30 layers
   * ≈ 0.6 s on SwiftShader, 1.3 s with the copies), so a page must not do it in one task.
   */
  between?: () => Promise<void>;
  /** Sparse path: multiply every image through every layer, dead or alive (default false: live images only). */
  allImages?: boolean;
}

/** Weights uploaded and dispatches bound once for a batch size; `run` uploads Y₀ and times every layer. */
export class DnnGpuPlan {
  private constructor(
    private readonly ctx: GpuContext,
    private readonly dnn: SparseDnn,
    readonly path: DnnPath,
    readonly batch: number,
    private readonly act: [GPUBuffer, GPUBuffer],
    private readonly dispatches: Dispatch[][], // per layer
    private readonly owned: OwnedResources,
    private readonly timing: GpuTiming,
    private readonly live: DnnLiveRows | null,
  ) {}

  /** Which sparse kernel runs: only the live images ('live-rows') or all of them ('all-rows'). */
  get sparseKernel(): 'live-rows' | 'all-rows' {
    return this.live ? 'live-rows' : 'all-rows';
  }

  static async create(
    ctx: GpuContext,
    dnn: SparseDnn,
    path: DnnPath,
    batch: number,
    options: DnnGpuPlanOptions = {},
  ): Promise<DnnGpuPlan> {
    if (dnn.layers.length === 0) throw new Error('DnnGpu: the network has no layers');
    const { device } = ctx;
    if (path === 'sparse' && !options.allImages && liveRowsExact(dnn.bias)) {
      const live = await DnnLiveRows.create(ctx, dnn.layers, {
        bias: dnn.bias,
        ymax: dnn.ymax,
        batch,
        between: options.between,
      });
      const owned = new OwnedResources();
      owned.add(live);
      const timing = new GpuTiming(device, dnn.layers.length, 'DnnGpu');
      return new DnnGpuPlan(ctx, dnn, path, batch, live.act, live.layers, owned, timing, live);
    }
    const width = Math.max(dnn.layers[0].cols, ...dnn.layers.map((w) => w.rows));
    const bytes = 4 * batch * width;
    const act: [GPUBuffer, GPUBuffer] = [
      storageBuffer(device, 'DnnGpu.act0', bytes),
      storageBuffer(device, 'DnnGpu.act1', bytes),
    ];
    // NaN until written: a layer that skipped an element shows up as NaN, never as a plausible 0.
    for (const buffer of act) poisonBuffer(device, buffer, bytes);
    const owned = new OwnedResources();
    for (const buffer of act) owned.add(buffer);
    const biasFor = new Map<number, GPUBuffer>(); // one N-vector of b per distinct layer width
    const bias = (n: number): GPUBuffer => {
      let b = biasFor.get(n);
      if (!b) {
        b = uploadStorage(device, `DnnGpu.bias${n}`, new Float32Array(n).fill(dnn.bias));
        biasFor.set(n, b);
        owned.add(b);
      }
      return b;
    };
    const epilogue = { activation: 'relu-clamp' as const, clampMax: dnn.ymax };
    const dispatches: Dispatch[][] = [];
    owned.add({ dispose: () => disposeDispatches(dispatches.flat()) });
    try {
      if (path === 'sparse') {
        const spmm = await CsrSpmm.create(ctx, epilogue);
        owned.add(spmm);
        for (const [l, w] of dnn.layers.entries()) {
          const csr = spmm.upload(device, w, `DnnGpu.W${l + 1}`);
          owned.add(csr);
          const y = act[(l + 1) % 2];
          dispatches.push([spmm.bind({ x: act[l % 2], csr, bias: bias(w.rows), y }, { batch })]);
          await options.between?.();
        }
      } else {
        const matmul = await DenseMatmul.create(ctx, epilogue);
        owned.add(matmul);
        for (const [l, w] of dnn.layers.entries()) {
          const data = options.dense?.[l] ?? w.toDense();
          if (data.length !== w.rows * w.cols)
            throw new Error(`DnnGpu: dense copy ${l + 1} is not ${w.rows}×${w.cols}`);
          const dense = uploadStorage(device, `DnnGpu.W${l + 1}.dense`, data);
          owned.add(dense);
          const y = act[(l + 1) % 2];
          dispatches.push([
            matmul.bind({ x: act[l % 2], w: dense, bias: bias(w.rows), y }, { batch, n: w.rows, k: w.cols }),
          ]);
          await options.between?.();
        }
      }
    } catch (err) {
      owned.dispose(); // a bad copy or a lost device: free what was made
      throw err;
    }
    const timing = new GpuTiming(device, dnn.layers.length, 'DnnGpu');
    return new DnnGpuPlan(ctx, dnn, path, batch, act, dispatches, owned, timing, null);
  }

  /** Y₀ (batch × K₀, CSR) → final activations, categories and per-layer milliseconds. */
  async run(input: CsrMatrix): Promise<DnnGpuResult> {
    const { device } = this.ctx;
    if (input.rows !== this.batch || input.cols !== this.dnn.layers[0].cols) {
      throw new Error(
        `DnnGpu: input is ${input.rows}×${input.cols}, the plan wants ${this.batch}×${this.dnn.layers[0].cols}`,
      );
    }
    if (this.live) this.live.reset(input);
    else {
      const x0 = input.toDense();
      device.queue.writeBuffer(this.act[0], 0, x0.buffer, x0.byteOffset, x0.byteLength);
    }
    // One timed compute pass per layer (src/gpu/timing.ts): one submit with timestamps, a submit each without.
    const layerMs = await this.timing.run(
      this.dispatches.map((d, l) => ({ kind: 'pass', label: `DnnGpu.layer${l + 1}`, dispatches: d })),
    );
    const last = this.dnn.layers[this.dnn.layers.length - 1];
    const out = this.act[this.dnn.layers.length % 2];
    const y = this.live
      ? (await this.live.read()).y
      : await readFloat32(device, out, 4 * this.batch * last.rows);
    return {
      y,
      categories: dnnCategories(y, this.batch, last.rows),
      layerMs,
      seconds: layerMs.reduce((a, b) => a + b, 0) / 1000,
      timerSource: this.timing.source,
    };
  }

  dispose(): void {
    this.owned.dispose();
    this.timing.dispose();
  }
}

/** Convenience: plan, one run, dispose. */
export async function runDnnGpu(
  ctx: GpuContext,
  dnn: SparseDnn,
  input: CsrMatrix,
  opts: { path: DnnPath; allImages?: boolean },
): Promise<DnnGpuResult> {
  const plan = await DnnGpuPlan.create(ctx, dnn, opts.path, input.rows, { allImages: opts.allImages });
  try {
    return await plan.run(input);
  } finally {
    plan.dispose();
  }
}
