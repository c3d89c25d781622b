// Host side of shaders/attention_sink.wgsl: causal multi-head attention over the KV cache with a per-head
// sink logit (circuit_sparsity); the shader body is shaders/common/attention_core.wgsl, shared with
// shaders/attention.wgsl. CPU reference: causalAttention(…, sink) in src/math/attention.ts.
import code from '../../../shaders/attention_sink.wgsl?raw';
import type { GpuContext } from '../context';
import { attentionDispatch, attentionParams, attentionPipeline } from './attention';
import type { Dispatch } from './dispatch';

/** The sink value that turns the sink off (the shader's NO_SINK): exp(NO_SINK − max) underflows to exactly 0. */
export const NO_SINK = -3.4e38;

export class AttentionSinkKernel {
  private constructor(
    readonly device: GPUDevice,
    readonly layout: GPUBindGroupLayout,
    readonly pipeline: GPUComputePipeline,
  ) {}

  static async create(ctx: GpuContext, maxCtx: number): Promise<AttentionSinkKernel> {
    const shader = { id: 'attention_sink', code };
    const { layout, pipeline } = await attentionPipeline(ctx, maxCtx, 'AttentionSink', shader, 4);
    return new AttentionSinkKernel(ctx.device, layout, pipeline);
  }

  /** out (t, A) = softmax([sink_h, q·Kᵀ·scale], causal)[1:] · V per head; q from qkv (t, 3A). */
  bind(
    b: {
      qkv: GPUBuffer;
      kcache: GPUBuffer;
      vcache: GPUBuffer;
      sink: GPUBuffer;
      out: GPUBuffer;
      step: GPUBuffer;
    },
    shape: { t: number; width: number; nHead: number },
    label = 'AttentionSink',
  ): Dispatch {
    const params = attentionParams(this.device, label, shape.t, shape.width, shape.nHead);
    const buffers = [b.qkv, b.kcache, b.vcache, b.sink, b.out, params, b.step];
    return attentionDispatch(this, label, buffers, params, shape);
  }

  /** Nothing of its own to free: the pipeline is the device cache's, uniforms their dispatches'. */
  dispose(): void {}
}
