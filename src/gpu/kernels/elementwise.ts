// Host side of the small element-wise kernels of the transformer forward pass:
// shaders/embed.wgsl (token + position embedding), shaders/residual_add.wgsl (x += y),
// shaders/kv_write.wgsl (append keys and values to the KV cache).
// CPU references: embed / addInPlace in src/math/transformer.ts.
import embedCode from '../../../shaders/embed.wgsl?raw';
import kvWriteCode from '../../../shaders/kv_write.wgsl?raw';
import residualCode from '../../../shaders/residual_add.wgsl?raw';
import { uniformU32 } from '../buffers';
import type { GpuContext } from '../context';
import { getPipeline, storageLayout } from '../pipelines';
import { type Dispatch, linearGrid } from './dispatch';

interface Compiled {
  layout: GPUBindGroupLayout;
  pipeline: GPUComputePipeline;
}

/** Bindings in order: `counts` = [read-only storage, read-write storage, uniforms]. */
async function compile(
  device: GPUDevice,
  name: string,
  code: string,
  counts: [number, number, number],
): Promise<Compiled> {
  const layout = storageLayout(device, `${name}.layout`, ...counts);
  const pipeline = await getPipeline(device, {
    key: `${name}:wg64`,
    shaderLabel: `${name}.wgsl`,
    code,
    layout: device.createPipelineLayout({ label: `${name}.pipelineLayout`, bindGroupLayouts: [layout] }),
  });
  return { layout, pipeline };
}

export class ElementwiseKernels {
  private constructor(
    private readonly device: GPUDevice,
    private readonly embedK: Compiled,
    private readonly residualK: Compiled,
    private readonly kvWriteK: Compiled,
  ) {}

  static async create(ctx: GpuContext): Promise<ElementwiseKernels> {
    const d = ctx.device;
    const [embed, residual, kv] = await Promise.all([
      compile(d, 'Embed', embedCode, [3, 1, 2]),
      compile(d, 'ResidualAdd', residualCode, [1, 1, 1]),
      compile(d, 'KvWrite', kvWriteCode, [1, 2, 2]),
    ]);
    return new ElementwiseKernels(d, embed, residual, kv);
  }

  private group(label: string, k: Compiled, buffers: GPUBuffer[]): GPUBindGroup {
    return this.device.createBindGroup({
      label: `${label}.bindGroup`,
      layout: k.layout,
      entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
  }

  /** out (t, d) = wte[tokens] + wpe[pos0 ..]; `step` is the shared uniform holding pos0. */
  embed(
    b: { tokens: GPUBuffer; wte: GPUBuffer; wpe: GPUBuffer; out: GPUBuffer; step: GPUBuffer },
    shape: { t: number; d: number },
    label = 'Embed',
  ): Dispatch {
    const params = uniformU32(this.device, `${label}.params`, [shape.t, shape.d]);
    const bindGroup = this.group(label, this.embedK, [b.tokens, b.wte, b.wpe, b.out, params, b.step]);
    return { label, pipeline: this.embedK.pipeline, bindGroup, workgroups: linearGrid(shape.t * shape.d) };
  }

  /** x[i] += y[i] for i < n. */
  residualAdd(b: { x: GPUBuffer; y: GPUBuffer }, n: number, label = 'ResidualAdd'): Dispatch {
    const params = uniformU32(this.device, `${label}.params`, [n]);
    const bindGroup = this.group(label, this.residualK, [b.y, b.x, params]);
    return { label, pipeline: this.residualK.pipeline, bindGroup, workgroups: linearGrid(n) };
  }

  /** kcache/vcache rows pos0 .. pos0+t ← the k and v thirds of qkv (t, 3d). */
  kvWrite(
    b: { qkv: GPUBuffer; kcache: GPUBuffer; vcache: GPUBuffer; step: GPUBuffer },
    shape: { t: number; d: number },
    label = 'KvWrite',
  ): Dispatch {
    const params = uniformU32(this.device, `${label}.params`, [shape.t, shape.d]);
    const bindGroup = this.group(label, this.kvWriteK, [b.qkv, b.kcache, b.vcache, params, b.step]);
    return { label, pipeline: this.kvWriteK.pipeline, bindGroup, workgroups: linearGrid(shape.t * shape.d) };
  }
}
