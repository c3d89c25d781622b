// Host side of shaders/attention.wgsl: causal multi-head attention over the KV cache.
// CPU reference: attention in src/math/transformer.ts.
import code from '../../../shaders/attention.wgsl?raw';
import { f32Bits, uniformU32 } from '../buffers';
import type { GpuContext } from '../context';
import { getPipeline, storageLayout } from '../pipelines';
import type { Dispatch } from './dispatch';

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
    const bytes = 4 * (maxCtx + WG);
    const limit = device.limits.maxComputeWorkgroupStorageSize;
    if (bytes > limit) {
      throw new Error(
        `attention needs ${bytes} bytes of workgroup memory for a ${maxCtx}-token context; the device has ${limit}`,
      );
    }
    const layout = storageLayout(device, 'Attention.layout', 3, 1, 2);
    const pipeline = await getPipeline(device, {
      key: `Attention:ctx${maxCtx}:wg${WG}`,
      shaderLabel: 'attention.wgsl',
      code,
      layout: device.createPipelineLayout({ label: 'Attention.pipelineLayout', bindGroupLayouts: [layout] }),
      constants: { WG, MAX_CTX: maxCtx },
    });
    return new AttentionKernel(device, layout, pipeline, maxCtx);
  }

  /** out (t, d) = softmax(q·Kᵀ·scale, causal) · V per head, q from qkv (t, 3d), K/V from the caches. */
  bind(
    b: { qkv: GPUBuffer; kcache: GPUBuffer; vcache: GPUBuffer; out: GPUBuffer; step: GPUBuffer },
    shape: { t: number; d: number; nHead: number },
    label = 'Attention',
  ): Dispatch {
    const headDim = shape.d / shape.nHead;
    const params = uniformU32(this.device, `${label}.params`, [
      shape.t,
      shape.d,
      shape.nHead,
      headDim,
      f32Bits(1 / Math.sqrt(headDim)),
    ]);
    const bindGroup = this.device.createBindGroup({
      label: `${label}.bindGroup`,
      layout: this.layout,
      entries: [b.qkv, b.kcache, b.vcache, b.out, params, b.step].map((buffer, binding) => ({
        binding,
        resource: { buffer },
      })),
    });
    return { label, pipeline: this.pipeline, bindGroup, workgroups: [shape.t, shape.nHead, 1] };
  }
}
