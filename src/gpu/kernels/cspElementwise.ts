// Host side of the small circuit_sparsity kernels: shaders/csp_elementwise_rms_norm.wgsl (RMSNorm), shaders/csp_elementwise_activation.wgsl
// (exact GELU or ReLU in place), shaders/csp_elementwise_bigram_add.wgsl (logits += bigram[current token]).
// CPU references: rmsNorm, geluErf, applyCspActivation in src/math/cspOps.ts; the bigram loop in forwardCsp.
import activationCode from '../../../shaders/csp_elementwise_activation.wgsl?raw';
import bigramCode from '../../../shaders/csp_elementwise_bigram_add.wgsl?raw';
import rmsNormCode from '../../../shaders/csp_elementwise_rms_norm.wgsl?raw';
import { f32Bits, uniformU32 } from '../buffers';
import type { GpuContext } from '../context';
import { bindBuffers, getPipeline, kernelLayout, type WgslShader } from '../pipelines';
import { type Dispatch, linearGrid } from './dispatch';

interface Compiled {
  layout: GPUBindGroupLayout;
  pipeline: GPUComputePipeline;
}

const WG = 64;

/** `counts` = [read-only storage, read-write storage, uniforms], bindings in that order. */
async function compile(
  device: GPUDevice,
  owner: string,
  shader: WgslShader,
  counts: [number, number, number],
  constants: Record<string, number> = {},
): Promise<Compiled> {
  const { bindGroupLayout, pipelineLayout } = kernelLayout(device, owner, counts);
  const pipeline = await getPipeline(device, {
    shader,
    layout: pipelineLayout,
    constants: { WG, ...constants },
  });
  return { layout: bindGroupLayout, pipeline };
}

export type CspActivationKind = 'gelu-erf' | 'relu';

export class CspElementwiseKernels {
  private constructor(
    private readonly device: GPUDevice,
    private readonly rms: Compiled,
    private readonly gelu: Compiled,
    private readonly relu: Compiled,
    private readonly bigram: Compiled,
  ) {}

  static async create(ctx: GpuContext): Promise<CspElementwiseKernels> {
    const d = ctx.device;
    const [rms, gelu, relu, bigram] = await Promise.all([
      compile(d, 'RmsNorm', { id: 'csp_elementwise_rms_norm', code: rmsNormCode }, [2, 1, 1]),
      compile(d, 'Activation', { id: 'csp_elementwise_activation', code: activationCode }, [0, 1, 1], {
        MODE: 0,
      }),
      compile(d, 'Activation', { id: 'csp_elementwise_activation', code: activationCode }, [0, 1, 1], {
        MODE: 1,
      }),
      compile(d, 'BigramAdd', { id: 'csp_elementwise_bigram_add', code: bigramCode }, [2, 1, 1]),
    ]);
    return new CspElementwiseKernels(d, rms, gelu, relu, bigram);
  }

  private group(label: string, k: Compiled, buffers: GPUBuffer[]): GPUBindGroup {
    return bindBuffers(this.device, `${label}.bindGroup`, k.layout, buffers);
  }

  /** Nothing of its own to free: pipelines are the device cache's, uniforms their dispatches'. */
  dispose(): void {}

  /** y (rows, d) = x / sqrt(mean(x²) + eps) · g. */
  rmsNorm(
    b: { x: GPUBuffer; g: GPUBuffer; y: GPUBuffer },
    shape: { rows: number; d: number; eps: number },
    label = 'RmsNorm',
  ): Dispatch {
    const params = uniformU32(this.device, `${label}.params`, [shape.rows, shape.d, f32Bits(shape.eps)]);
    const bindGroup = this.group(label, this.rms, [b.x, b.g, b.y, params]);
    return {
      label,
      pipeline: this.rms.pipeline,
      bindGroup,
      workgroups: [shape.rows, 1, 1],
      uniforms: [params],
    };
  }

  /** x[i] = act(x[i]) for i < count, in place. */
  activation(x: GPUBuffer, kind: CspActivationKind, count: number, label = 'Activation'): Dispatch {
    const k = kind === 'gelu-erf' ? this.gelu : this.relu;
    const params = uniformU32(this.device, `${label}.params`, [count]);
    return {
      label,
      pipeline: k.pipeline,
      bindGroup: this.group(label, k, [x, params]),
      workgroups: linearGrid(count, WG),
      uniforms: [params],
    };
  }

  /** logits (rows, vocab) += bigram[tokens[firstToken + r]] row by row. */
  bigramAdd(
    b: { bigram: GPUBuffer; tokens: GPUBuffer; logits: GPUBuffer },
    shape: { rows: number; vocab: number; firstToken: number },
    label = 'BigramAdd',
  ): Dispatch {
    const params = uniformU32(this.device, `${label}.params`, [shape.rows, shape.vocab, shape.firstToken]);
    const bindGroup = this.group(label, this.bigram, [b.bigram, b.tokens, b.logits, params]);
    return {
      label,
      pipeline: this.bigram.pipeline,
      bindGroup,
      workgroups: linearGrid(shape.rows * shape.vocab, WG),
      uniforms: [params],
    };
  }
}
