// Host side of shaders/attention_sink.wgsl: causal multi-head attention over the KV cache with a per-head
// sink logit (circuit_sparsity); the shader body is shaders/common/attention_core.wgsl, shared with
// shaders/attention.wgsl. CPU reference: causalAttention(…, sink) in src/math/attention.ts.
import code from '../../../shaders/attention_sink.wgsl?raw';
import { f32Bits, uniformU32 } from '../buffers';
import type { GpuContext } from '../context';
import { bindBuffers, getPipeline, kernelLayout } from '../pipelines';
import type { Dispatch } from './dispatch';

const WG = 64;

/** The sink value that turns the sink off (the shader's NO_SINK): exp(NO_SINK − max) underflows to exactly 0. */
export const NO_SINK = -3.4e38;

export class AttentionSinkKernel {
  private constructor(
    private readonly device: GPUDevice,
    private readonly layout: GPUBindGroupLayout,
    private readonly pipeline: GPUComputePipeline,
  ) {}

  static async create(ctx: GpuContext, maxCtx: number): Promise<AttentionSinkKernel> {
    const { device } = ctx;
    const bytes = 4 * (maxCtx + WG);
    const limit = device.limits.maxComputeWorkgroupStorageSize;
    if (bytes > limit)
      throw new Error(
        `attention needs ${bytes} bytes of workgroup memory for a ${maxCtx}-token context; the device has ${limit}`,
      );
    const { bindGroupLayout: layout, pipelineLayout } = kernelLayout(device, 'AttentionSink', [4, 1, 2]);
    const pipeline = await getPipeline(device, {
      shader: { id: 'attention_sink', code },
      layout: pipelineLayout,
      constants: { WG, MAX_CTX: maxCtx },
    });
    return new AttentionSinkKernel(device, layout, pipeline);
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
    const headDim = shape.width / shape.nHead;
    const params = uniformU32(this.device, `${label}.params`, [
      shape.t,
      shape.width,
      shape.nHead,
      headDim,
      f32Bits(1 / Math.sqrt(headDim)),
    ]);
    const bindGroup = bindBuffers(this.device, `${label}.bindGroup`, this.layout, [
      b.qkv,
      b.kcache,
      b.vcache,
      b.sink,
      b.out,
      params,
      b.step,
    ]);
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
