// Host side of shaders/attention.wgsl: causal multi-head attention over the KV cache.
// CPU reference: causalAttention in src/math/attention.ts.
import code from '../../../shaders/attention.wgsl?raw';
import { f32Bits, uniformU32 } from '../buffers';
import type { GpuContext } from '../context';
import { bindBuffers, getPipeline, kernelLayout } from '../pipelines';
import type { Dispatch } from './dispatch';

/** The shader's override WG: threads per (query, head) workgroup. */
const WG = 64;

export class AttentionKernel {
  private constructor(
    private readonly device: GPUDevice,
    private readonly layout: GPUBindGroupLayout,
    private readonly pipeline: GPUComputePipeline,
    readonly maxCtx: number,
  ) {}

  /** `maxCtx` sizes the workgroup score array (4 bytes per position); it must cover the model's nCtx. */
  static async create(ctx: GpuContext, maxCtx: number): Promise<AttentionKernel> {
    const { device } = ctx;
    // Workgroup memory: scores (MAX_CTX f32) and the reduction's partial (WG f32).
    const bytes = 4 * (maxCtx + WG);
    const limit = device.limits.maxComputeWorkgroupStorageSize;
    if (bytes > limit) {
      throw new Error(
        `attention needs ${bytes} bytes of workgroup memory for a ${maxCtx}-token context; the device has ${limit}`,
      );
    }
    const { bindGroupLayout, pipelineLayout } = kernelLayout(device, 'Attention', [3, 1, 2]);
    const pipeline = await getPipeline(device, {
      shader: { id: 'attention', code },
      layout: pipelineLayout,
      constants: { WG, MAX_CTX: maxCtx },
    });
    return new AttentionKernel(device, bindGroupLayout, pipeline, maxCtx);
  }

  /** out (t, d) = softmax(q·Kᵀ·scale, causal) · V per head, q from qkv (t, 3d), K/V from the caches. */
  bind(
    b: { qkv: GPUBuffer; kcache: GPUBuffer; vcache: GPUBuffer; out: GPUBuffer; step: GPUBuffer },
    shape: { t: number; d: number; nHead: number },
    label = 'Attention',
  ): Dispatch {
    const headDim = shape.d / shape.nHead;
    // 8 × u32: t, d, nHead, headDim, 1/sqrt(headDim) as f32 bits, 3 × pad.
    const params = uniformU32(this.device, `${label}.params`, [
      shape.t,
      shape.d,
      shape.nHead,
      headDim,
      f32Bits(1 / Math.sqrt(headDim)),
    ]);
    const buffers = [b.qkv, b.kcache, b.vcache, b.out, params, b.step];
    const bindGroup = bindBuffers(this.device, `${label}.bindGroup`, this.layout, buffers);
    return {
      label,
      pipeline: this.pipeline,
      bindGroup,
      workgroups: [shape.t, shape.nHead, 1],
      uniforms: [params],
    };
  }

  /** Nothing of its own to free: the pipeline is the device cache's, uniforms their dispatches'. */
  dispose(): void {}
}
