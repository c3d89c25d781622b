// Host side of shaders/abs_top_k.wgsl: per-row AbsTopK in place (keep the k largest |x|, ties lowest index
// first). CPU reference: absTopK in src/math/cspOps.ts.
import code from '../../../shaders/abs_top_k.wgsl?raw';
import { uniformU32 } from '../buffers';
import type { GpuContext } from '../context';
import { bindBuffers, getPipeline, kernelLayout } from '../pipelines';
import type { Dispatch } from './dispatch';

const WG = 64;

/** A segment of each row: `width` values at column `offset` of rows `stride` values apart. */
export interface TopKShape {
  rows: number;
  width: number;
  k: number;
  stride?: number;
  offset?: number;
}

/** One workgroup per row (rows ≤ 65535, the default grid limit). */
function absTopKDispatchSize(shape: TopKShape): [number, number, number] {
  return [shape.rows, 1, 1];
}

export class AbsTopKKernel {
  private constructor(
    private readonly device: GPUDevice,
    private readonly layout: GPUBindGroupLayout,
    private readonly pipeline: GPUComputePipeline,
  ) {}

  static async create(ctx: GpuContext): Promise<AbsTopKKernel> {
    const { device } = ctx;
    const { bindGroupLayout: layout, pipelineLayout } = kernelLayout(device, 'AbsTopK', [0, 1, 1]);
    const pipeline = await getPipeline(device, {
      shader: { id: 'abs_top_k', code },
      constants: { WG },
      layout: pipelineLayout,
    });
    return new AbsTopKKernel(device, layout, pipeline);
  }

  bind(x: GPUBuffer, shape: TopKShape, label = 'AbsTopK'): Dispatch {
    const { rows, width, k } = shape;
    const stride = shape.stride ?? width;
    const offset = shape.offset ?? 0;
    if (!Number.isInteger(k) || k < 0) throw new Error(`${label}: k = ${k} must be a non-negative integer`);
    if (offset + width > stride)
      throw new Error(`${label}: segment ${offset}+${width} exceeds the row stride ${stride}`);
    const params = uniformU32(this.device, `${label}.params`, [
      rows,
      width,
      stride,
      offset,
      Math.min(k, width),
    ]);
    const bindGroup = bindBuffers(this.device, `${label}.bindGroup`, this.layout, [x, params]);
    return {
      label,
      pipeline: this.pipeline,
      bindGroup,
      workgroups: absTopKDispatchSize(shape),
      uniforms: [params],
    };
  }

  /** Nothing of its own to free: the pipeline is the device cache's, uniforms their dispatches'. */
  dispose(): void {}
}
