// Host side of shaders/layernorm.wgsl. CPU reference: layerNorm in src/math/transformer.ts.
import code from '../../../shaders/layernorm.wgsl?raw';
import { f32Bits, uniformU32 } from '../buffers';
import type { GpuContext } from '../context';
import { getPipeline, storageLayout } from '../pipelines';
import type { Dispatch } from './dispatch';

const WG = 64;

export class LayerNormKernel {
  private constructor(
    private readonly device: GPUDevice,
    private readonly layout: GPUBindGroupLayout,
    private readonly pipeline: GPUComputePipeline,
  ) {}

  static async create(ctx: GpuContext): Promise<LayerNormKernel> {
    const { device } = ctx;
    const layout = storageLayout(device, 'LayerNorm.layout', 3, 1);
    const pipeline = await getPipeline(device, {
      key: `LayerNorm:wg${WG}`,
      shaderLabel: 'layernorm.wgsl',
      code,
      layout: device.createPipelineLayout({ label: 'LayerNorm.pipelineLayout', bindGroupLayouts: [layout] }),
      constants: { WG },
    });
    return new LayerNormKernel(device, layout, pipeline);
  }

  /** y (rows, d) = LayerNorm(x (rows, d)) · g + b. */
  bind(
    buffers: { x: GPUBuffer; g: GPUBuffer; b: GPUBuffer; y: GPUBuffer },
    shape: { rows: number; d: number; eps: number },
    label = 'LayerNorm',
  ): Dispatch {
    const params = uniformU32(this.device, `${label}.params`, [shape.rows, shape.d, f32Bits(shape.eps), 0]);
    const bindGroup = this.device.createBindGroup({
      label: `${label}.bindGroup`,
      layout: this.layout,
      entries: [buffers.x, buffers.g, buffers.b, buffers.y, params].map((buffer, binding) => ({
        binding,
        resource: { buffer },
      })),
    });
    return { label, pipeline: this.pipeline, bindGroup, workgroups: [shape.rows, 1, 1] };
  }
}
