// Host side of the small element-wise kernels of the transformer forward pass, shaders/elementwise_*.wgsl:
// embed (token + position embedding), residual_add (x += y), kv_write (append keys and values to the KV
// cache). CPU references: embed and addInPlace in src/math/norm.ts; the KV cache write is the first step
// of causalAttention in src/math/attention.ts.
import embedCode from '../../../shaders/elementwise_embed.wgsl?raw';
import kvWriteCode from '../../../shaders/elementwise_kv_write.wgsl?raw';
import residualCode from '../../../shaders/elementwise_residual_add.wgsl?raw';
import { uniformU32 } from '../buffers';
import type { GpuContext } from '../context';
import { bindBuffers, getPipeline, kernelLayout, type WgslShader } from '../pipelines';
import { type Dispatch, linearGrid } from './dispatch';

/** Workgroup size of the three kernels: their override WG, and the grid linearGrid sizes with it. */
const WG = 64;

interface Compiled {
  name: string;
  layout: GPUBindGroupLayout;
  pipeline: GPUComputePipeline;
}

/** Bindings in order: `counts` = [read-only storage, read-write storage, uniforms]. */
async function compile(
  device: GPUDevice,
  name: string,
  shader: WgslShader,
  counts: [number, number, number],
): Promise<Compiled> {
  const { bindGroupLayout, pipelineLayout } = kernelLayout(device, name, counts);
  const pipeline = await getPipeline(device, { shader, layout: pipelineLayout, constants: { WG } });
  return { name, layout: bindGroupLayout, pipeline };
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
      compile(d, 'Embed', { id: 'elementwise_embed', code: embedCode }, [3, 1, 2]),
      compile(d, 'ResidualAdd', { id: 'elementwise_residual_add', code: residualCode }, [1, 1, 1]),
      compile(d, 'KvWrite', { id: 'elementwise_kv_write', code: kvWriteCode }, [1, 2, 2]),
    ]);
    return new ElementwiseKernels(d, embed, residual, kv);
  }

  /** One dispatch over `count` elements; `params` (u32 words) becomes its own uniform, bound after `before`. */
  private bind(
    k: Compiled,
    label: string,
    count: number,
    params: number[],
    before: GPUBuffer[],
    after: GPUBuffer[] = [],
  ): Dispatch {
    const uniform = uniformU32(this.device, `${label}.params`, params);
    const bindGroup = bindBuffers(this.device, `${label}.bindGroup`, k.layout, [
      ...before,
      uniform,
      ...after,
    ]);
    return { label, pipeline: k.pipeline, bindGroup, workgroups: linearGrid(count, WG), uniforms: [uniform] };
  }

  /** out (t, d) = wte[tokens] + wpe[pos0 ..]; `step` is the shared uniform holding pos0. */
  embed(
    b: { tokens: GPUBuffer; wte: GPUBuffer; wpe: GPUBuffer; out: GPUBuffer; step: GPUBuffer },
    shape: { t: number; d: number },
    label = 'Embed',
  ): Dispatch {
    const { t, d } = shape;
    return this.bind(this.embedK, label, t * d, [t, d], [b.tokens, b.wte, b.wpe, b.out], [b.step]);
  }

  /** x[i] += y[i] for i < n. */
  residualAdd(b: { x: GPUBuffer; y: GPUBuffer }, n: number, label = 'ResidualAdd'): Dispatch {
    return this.bind(this.residualK, label, n, [n], [b.y, b.x]);
  }

  /** kcache/vcache rows pos0 .. pos0+t ← the k and v thirds of qkv (t, 3d). */
  kvWrite(
    b: { qkv: GPUBuffer; kcache: GPUBuffer; vcache: GPUBuffer; step: GPUBuffer },
    shape: { t: number; d: number },
    label = 'KvWrite',
  ): Dispatch {
    const { t, d } = shape;
    return this.bind(this.kvWriteK, label, t * d, [t, d], [b.qkv, b.kcache, b.vcache], [b.step]);
  }

  /** Nothing of its own to free: pipelines are the device cache's, uniforms their dispatches'. */
  dispose(): void {}
}
