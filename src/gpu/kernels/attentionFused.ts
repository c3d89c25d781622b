// Host side of the fused attention kernels: shaders/attention_fused_flash.wgsl (prefill: query tiles, K/V tiles
// in workgroup memory, online softmax) and shaders/attention_fused_split.wgsl + attention_fused_combine.wgsl (decode:
// keys split across workgroups, then combined). CPU reference: causalAttention in src/math/attention.ts.
// Heads wider than MAX_HEAD_DIM keep the one-workgroup-per-query kernel (shaders/attention.wgsl, or
// shaders/attention_sink.wgsl for a model with sinks), as do short calls on a CPU-emulated adapter
// (chooseAttentionVariant). Every variant takes an optional per-head sink logit (circuit_sparsity).
// Nothing here is tuned for one adapter: tile sizes follow the head dimension and the device's
// workgroup-storage limit, and the variant follows the grid size (chooseAttentionVariant).
import combineCode from '../../../shaders/attention_fused_combine.wgsl?raw';
import flashCode from '../../../shaders/attention_fused_flash.wgsl?raw';
import splitCode from '../../../shaders/attention_fused_split.wgsl?raw';
import { f32Bits, storageBuffer, uniformU32, uploadStorage } from '../buffers';
import type { GpuContext } from '../context';
import { bindBuffers, getPipeline, kernelLayout } from '../pipelines';
import { AttentionKernel } from './attention';
import { AttentionSinkKernel, NO_SINK } from './attentionSink';
import { ceilDiv, type Dispatch } from './dispatch';

/** Largest head dimension the fused kernels take (their per-thread arrays; GPT-2 uses 64 at every size). */
const MAX_HEAD_DIM = 64;
/** Queries per prefill workgroup (one thread each) and the most keys per tile. */
export const FLASH_BQ = 32;
const FLASH_MAX_BK = 32;
/** Keys per decode workgroup (one thread each). */
const SPLIT_CHUNK = 64;

export type AttentionVariant = 'flash' | 'split' | 'naive';

/** On a CPU-emulated adapter, calls with fewer queries than this keep the one-workgroup-per-query kernel. */
const FALLBACK_FLASH_MIN_T = 8;

/**
 * Which kernel runs T queries: heads wider than MAX_HEAD_DIM → 'naive'; fewer queries than one prefill
 * tile (decoding, short prompts) → 'split', whose grid grows with the keys instead of the queries, so a
 * GPU's many cores all get work; otherwise 'flash'. On a CPU-emulated adapter (SwiftShader:
 * isFallbackAdapter) a core is a CPU thread that a dozen workgroups already fill and every workgroup and
 * barrier is expensive, so the split pass never pays: T ≥ FALLBACK_FLASH_MIN_T takes 'flash' (10× the
 * one-workgroup-per-query kernel at T = 30 there), shorter calls 'naive' (decoding: 2–5× faster there
 * than either fused kernel). Measured in docs/benchmarks.md (the attention table). A pure function of
 * the shape and the adapter kind, so a plan bound for T always runs the same kernel.
 */
export function chooseAttentionVariant(shape: {
  t: number;
  headDim: number;
  fallbackAdapter?: boolean;
}): AttentionVariant {
  if (shape.headDim > MAX_HEAD_DIM) return 'naive';
  if (shape.fallbackAdapter) return shape.t >= FALLBACK_FLASH_MIN_T ? 'flash' : 'naive';
  return shape.t >= FLASH_BQ ? 'flash' : 'split';
}

/** Keys per prefill tile: FLASH_MAX_BK, fewer if K and V tiles (2·BK·hd f32) exceed the storage limit. */
export function flashKeyTile(headDim: number, workgroupStorageBytes: number): number {
  return Math.max(1, Math.min(FLASH_MAX_BK, Math.floor(workgroupStorageBytes / (8 * headDim))));
}

/** Workgroup grids: flash (⌈T/BQ⌉, nHead), split (⌈nCtx/CHUNK⌉, nHead, T), combine (T, nHead). */
export function attentionGrids(shape: { t: number; nHead: number; maxCtx: number }) {
  const nSplit = ceilDiv(shape.maxCtx, SPLIT_CHUNK);
  return {
    flash: [ceilDiv(shape.t, FLASH_BQ), shape.nHead, 1] as [number, number, number],
    split: [nSplit, shape.nHead, shape.t] as [number, number, number],
    combine: [shape.t, shape.nHead, 1] as [number, number, number],
    nSplit,
  };
}

interface Bindings {
  qkv: GPUBuffer;
  kcache: GPUBuffer;
  vcache: GPUBuffer;
  out: GPUBuffer;
  step: GPUBuffer;
  /** Per-head sink logits (nHead f32); only for a kernel created with { sink: true }. */
  sink?: GPUBuffer;
}

export class FlashAttentionKernel {
  private constructor(
    private readonly device: GPUDevice,
    readonly headDim: number,
    readonly maxCtx: number,
    private readonly flash: { layout: GPUBindGroupLayout; pipeline: GPUComputePipeline } | null,
    private readonly split: { layout: GPUBindGroupLayout; pipeline: GPUComputePipeline } | null,
    private readonly combine: { layout: GPUBindGroupLayout; pipeline: GPUComputePipeline } | null,
    private readonly naive: AttentionKernel | AttentionSinkKernel | null,
    private readonly fallbackAdapter: boolean,
    readonly sinks: boolean,
  ) {}

  /**
   * Pipelines for one head dimension and context length (the model's hd and nCtx). With `sink` every
   * bind must pass per-head sink logits (the one-workgroup-per-query fallback is then attention_sink).
   */
  static async create(
    ctx: GpuContext,
    headDim: number,
    maxCtx: number,
    opts: { sink?: boolean } = {},
  ): Promise<FlashAttentionKernel> {
    const sinks = opts.sink ?? false;
    const { device } = ctx;
    const fallbackAdapter = ctx.info.isFallbackAdapter;
    // The one-workgroup-per-query kernel keeps a score per position in workgroup memory: 4 · (nCtx + 64)
    // bytes, within the 16 KiB default up to nCtx = 4032. Past that only the fused kernels run.
    const naiveFits = 4 * (maxCtx + 64) <= device.limits.maxComputeWorkgroupStorageSize;
    const makeNaive = () =>
      sinks ? AttentionSinkKernel.create(ctx, maxCtx) : AttentionKernel.create(ctx, maxCtx);
    const naive = naiveFits || headDim > MAX_HEAD_DIM ? await makeNaive() : null;
    if (headDim > MAX_HEAD_DIM) {
      return new FlashAttentionKernel(
        device,
        headDim,
        maxCtx,
        null,
        null,
        null,
        naive,
        fallbackAdapter,
        sinks,
      );
    }
    const bk = flashKeyTile(headDim, device.limits.maxComputeWorkgroupStorageSize);
    const make = async (
      owner: string,
      shader: { id: string; code: string },
      counts: [number, number, number],
      constants: Record<string, number>,
    ) => {
      const { bindGroupLayout, pipelineLayout } = kernelLayout(device, owner, counts);
      const pipeline = await getPipeline(device, { shader, layout: pipelineLayout, constants });
      return { layout: bindGroupLayout, pipeline };
    };
    const [flash, split, combine] = await Promise.all([
      make('AttentionFlash', { id: 'attention_fused_flash', code: flashCode }, [4, 1, 2], {
        HD: headDim,
        BQ: FLASH_BQ,
        BK: bk,
      }),
      make('AttentionSplit', { id: 'attention_fused_split', code: splitCode }, [3, 1, 2], {
        HD: headDim,
        WG: SPLIT_CHUNK,
      }),
      make('AttentionCombine', { id: 'attention_fused_combine', code: combineCode }, [2, 1, 1], {
        HD: headDim,
        WG: 64,
      }),
    ]);
    return new FlashAttentionKernel(
      device,
      headDim,
      maxCtx,
      flash,
      split,
      combine,
      naive,
      fallbackAdapter,
      sinks,
    );
  }

  /** Nothing of its own to free: pipelines are the device cache's, uniforms their dispatches'. */
  dispose(): void {}

  /** The kernel bind() runs for t queries on this adapter (chooseAttentionVariant). */
  variantFor(t: number): AttentionVariant {
    const fallbackAdapter = this.fallbackAdapter && this.naive !== null;
    return chooseAttentionVariant({ t, headDim: this.headDim, fallbackAdapter });
  }

  /**
   * out (t, d) = softmax(q·Kᵀ·scale, causal) · V per head, q from qkv (t, 3d), K/V from the caches (this
   * call's keys already written), with the per-head sink logits `b.sink` when the kernel was made for
   * sinks. The buffers made for these dispatches (the params uniform, the decode partials, a NO_SINK
   * vector) are in their `uniforms`: free them together with disposeDispatches. `variant` forces a
   * kernel (tests, benchmarks); default variantFor(t).
   */
  bind(
    b: Bindings,
    shape: { t: number; d: number; nHead: number },
    label = 'Attention',
    variant: AttentionVariant = this.variantFor(shape.t),
  ): { variant: AttentionVariant; dispatches: Dispatch[] } {
    const headDim = shape.d / shape.nHead;
    if (headDim !== this.headDim) {
      throw new Error(`${label}: kernels built for head dimension ${this.headDim}, bound with ${headDim}`);
    }
    if ((b.sink !== undefined) !== this.sinks) {
      throw new Error(
        `${label}: kernels built ${this.sinks ? 'with' : 'without'} sinks, bound the other way`,
      );
    }
    if (variant === 'naive' || !this.flash) {
      if (!this.naive)
        throw new Error(`${label}: no one-workgroup-per-query kernel for ${this.maxCtx} positions`);
      const dispatch =
        this.naive instanceof AttentionSinkKernel && b.sink
          ? this.naive.bind({ ...b, sink: b.sink }, { t: shape.t, width: shape.d, nHead: shape.nHead }, label)
          : (this.naive as AttentionKernel).bind(b, shape, label);
      return { variant: 'naive', dispatches: [dispatch] };
    }
    const grids = attentionGrids({ t: shape.t, nHead: shape.nHead, maxCtx: this.maxCtx });
    const params = uniformU32(this.device, `${label}.params`, [
      shape.t,
      shape.d,
      shape.nHead,
      f32Bits(1 / Math.sqrt(headDim)),
      grids.nSplit,
    ]);
    const group = (k: { layout: GPUBindGroupLayout }, name: string, buffers: GPUBuffer[]) =>
      bindBuffers(this.device, `${label}.${name}.bindGroup`, k.layout, buffers);
    // A model without sinks binds NO_SINK logits (the dispatch owns that vector).
    const noSink = b.sink
      ? null
      : uploadStorage(this.device, `${label}.noSink`, new Float32Array(shape.nHead).fill(NO_SINK));
    const sink = b.sink ?? (noSink as GPUBuffer);
    const own = (buffers: GPUBuffer[]) => (noSink ? [...buffers, noSink] : buffers);
    if (variant === 'flash' && this.flash) {
      const bindGroup = group(this.flash, 'flash', [b.qkv, b.kcache, b.vcache, sink, b.out, params, b.step]);
      return {
        variant,
        dispatches: [
          {
            label: `${label}.flash`,
            pipeline: this.flash.pipeline,
            bindGroup,
            workgroups: grids.flash,
            uniforms: own([params]),
          },
        ],
      };
    }
    if (!this.split || !this.combine) throw new Error(`${label}: decode kernels missing`);
    const partials = storageBuffer(
      this.device,
      `${label}.partials`,
      4 * shape.t * shape.nHead * grids.nSplit * (headDim + 2),
    );
    return {
      variant: 'split',
      dispatches: [
        {
          label: `${label}.split`,
          pipeline: this.split.pipeline,
          bindGroup: group(this.split, 'split', [b.qkv, b.kcache, b.vcache, partials, params, b.step]),
          workgroups: grids.split,
          uniforms: own([params, partials]),
        },
        {
          label: `${label}.combine`,
          pipeline: this.combine.pipeline,
          bindGroup: group(this.combine, 'combine', [partials, sink, b.out, params]),
          workgroups: grids.combine,
          uniforms: [],
        },
      ],
    };
  }
}
