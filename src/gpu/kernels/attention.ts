// Host side of shaders/attention.wgsl: causal multi-head attention over the KV cache.
// CPU reference: causalAttention in src/math/attention.ts.
import code from '../../../shaders/attention.wgsl?raw';
import { f32Bits, uniformU32 } from '../buffers';
import type { GpuContext } from '../context';
import { bindBuffers, getPipeline, kernelLayout } from '../pipelines';
import type { Dispatch } from './dispatch';

/** The shader's override WG: threads per (query, head) workgroup. */
const WG = 64;

/**
 * The pipeline of an attention shader over common/attention_core.wgsl (this kernel's and AttentionSinkKernel's):
 * checks the workgroup memory a `maxCtx` score array needs; `readOnly` counts the read-only bindings.
 */
export async function attentionPipeline(
  ctx: GpuContext,
  maxCtx: number,
  owner: string,
  shader: { id: string; code: string },
  readOnly: number,
): Promise<{ layout: GPUBindGroupLayout; pipeline: GPUComputePipeline }> {
  const { device } = ctx;
  // Workgroup memory: scores (MAX_CTX f32) and the reduction's partial (WG f32).
  const bytes = 4 * (maxCtx + WG);
  const limit = device.limits.maxComputeWorkgroupStorageSize;
  if (bytes > limit) {
    throw new Error(
      `attention needs ${bytes} bytes of workgroup memory for a ${maxCtx}-token context; the device has ${limit}`,
    );
  }
  const { bindGroupLayout, pipelineLayout } = kernelLayout(device, owner, [readOnly, 1, 2]);
  const pipeline = await getPipeline(device, {
    shader,
    layout: pipelineLayout,
    constants: { WG, MAX_CTX: maxCtx },
  });
  return { layout: bindGroupLayout, pipeline };
}

/** The Params uniform: 8 × u32: t, width, nHead, headDim, 1/sqrt(headDim) as f32 bits, 3 × pad. */
export function attentionParams(
  device: GPUDevice,
  label: string,
  t: number,
  width: number,
  nHead: number,
): GPUBuffer {
  const headDim = width / nHead;
  return uniformU32(device, `${label}.params`, [t, width, nHead, headDim, f32Bits(1 / Math.sqrt(headDim))]);
}

/** One workgroup per (query, head) over `buffers` (bindings 0, 1, …); `params` is the dispatch's to free. */
export function attentionDispatch(
  kernel: { device: GPUDevice; layout: GPUBindGroupLayout; pipeline: GPUComputePipeline },
  label: string,
  buffers: GPUBuffer[],
  params: GPUBuffer,
  shape: { t: number; nHead: number },
): Dispatch {
  return {
    label,
    pipeline: kernel.pipeline,
    bindGroup: bindBuffers(kernel.device, `${label}.bindGroup`, kernel.layout, buffers),
    workgroups: [shape.t, shape.nHead, 1],
    uniforms: [params],
  };
}

export class AttentionKernel {
  private constructor(
    readonly device: GPUDevice,
    readonly layout: GPUBindGroupLayout,
    readonly pipeline: GPUComputePipeline,
    readonly maxCtx: number,
  ) {}

  /** `maxCtx` sizes the workgroup score array (4 bytes per position); it must cover the model's nCtx. */
  static async create(ctx: GpuContext, maxCtx: number): Promise<AttentionKernel> {
    const { layout, pipeline } = await attentionPipeline(
      ctx,
      maxCtx,
      'Attention',
      { id: 'attention', code },
      3,
    );
    return new AttentionKernel(ctx.device, layout, pipeline, maxCtx);
  }

  /** out (t, d) = softmax(q·Kᵀ·scale, causal) · V per head, q from qkv (t, 3d), K/V from the caches. */
  bind(
    b: { qkv: GPUBuffer; kcache: GPUBuffer; vcache: GPUBuffer; out: GPUBuffer; step: GPUBuffer },
    shape: { t: number; d: number; nHead: number },
    label = 'Attention',
  ): Dispatch {
    const params = attentionParams(this.device, label, shape.t, shape.d, shape.nHead);
    const buffers = [b.qkv, b.kcache, b.vcache, b.out, params, b.step];
    return attentionDispatch(this, label, buffers, params, shape);
  }

  /** Nothing of its own to free: the pipeline is the device cache's, uniforms their dispatches'. */
  dispose(): void {}
}
