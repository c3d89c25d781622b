// Host side of shaders/layer_norm.wgsl. CPU reference: layerNorm in src/math/norm.ts.
import code from '../../../shaders/layer_norm.wgsl?raw';
import { f32Bits, uniformU32 } from '../buffers';
import type { GpuContext } from '../context';
import { bindBuffers, getPipeline, kernelLayout } from '../pipelines';
import type { Dispatch } from './dispatch';

/** The shader's override WG: threads per row. */
const WG = 64;

export class LayerNormKernel {
  private constructor(
    private readonly device: GPUDevice,
    private readonly layout: GPUBindGroupLayout,
    private readonly pipeline: GPUComputePipeline,
  ) {}

  static async create(ctx: GpuContext): Promise<LayerNormKernel> {
    const { device } = ctx;
    const { bindGroupLayout, pipelineLayout } = kernelLayout(device, 'LayerNorm', [3, 1, 1]);
    const pipeline = await getPipeline(device, {
      shader: { id: 'layer_norm', code },
      layout: pipelineLayout,
      constants: { WG },
    });
    return new LayerNormKernel(device, bindGroupLayout, pipeline);
  }

  /** y (rows, d) = LayerNorm(x (rows, d)) · g + b. */
  bind(
    buffers: { x: GPUBuffer; g: GPUBuffer; b: GPUBuffer; y: GPUBuffer },
    shape: { rows: number; d: number; eps: number },
    label = 'LayerNorm',
  ): Dispatch {
    // 4 × u32: rows, d, eps as f32 bits, pad.
    const params = uniformU32(this.device, `${label}.params`, [shape.rows, shape.d, f32Bits(shape.eps), 0]);
    const { x, g, b, y } = buffers;
    const bindGroup = bindBuffers(this.device, `${label}.bindGroup`, this.layout, [x, g, b, y, params]);
    return { label, pipeline: this.pipeline, bindGroup, workgroups: [shape.rows, 1, 1], uniforms: [params] };
  }

  /** Nothing of its own to free: the pipeline is the device cache's, uniforms their dispatches'. */
  dispose(): void {}
}
