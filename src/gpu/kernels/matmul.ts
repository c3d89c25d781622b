// Dense linear layer on the GPU: y (B×N) = act(x (B×K) · Wᵀ + bias), W (N×K) out×in row-major, x and y
// row-major. Three kernels (shaders/*.wgsl), two with a vec4-load and a scalar-load entry point:
//   tiled — matmul_tiled.wgsl: TX×TY invocations, a 4×4 or 8×8 register block each, x and W slices in
//           workgroup memory; for batches above GEMV_MAX_BATCH;
//   gemv  — matmul_gemv.wgsl: ROWS outputs per workgroup, LANES invocations split K, reduced in workgroup
//           memory;
//   naive — matmul_naive.wgsl: one output per invocation, the benchmarks' baseline.
// The CPU reference is matmulRef in src/math/matmul.ts.
import gemvCode from '../../../shaders/matmul_gemv.wgsl?raw';
import naiveCode from '../../../shaders/matmul_naive.wgsl?raw';
import tiledCode from '../../../shaders/matmul_tiled.wgsl?raw';
import type { ActivationName } from '../../contracts';
import { storageBuffer, uniformU32 } from '../buffers';
import type { GpuContext } from '../context';
import { bindBuffers, getPipeline, kernelLayout, type WgslShader } from '../pipelines';
import { activationConstants, ceilDiv, type Dispatch } from './dispatch';

export interface DenseShape {
  batch: number;
  n: number;
  k: number;
}

/** A compiled kernel: vec4 entry points need K % 4 == 0. */
export type DenseVariant = 'tiled-vec4' | 'tiled-scalar' | 'gemv-vec4' | 'gemv-scalar' | 'naive';
export const DENSE_VARIANTS: readonly DenseVariant[] = [
  'tiled-vec4',
  'tiled-scalar',
  'gemv-vec4',
  'gemv-scalar',
  'naive',
];

/** What a caller asks for: 'tiled' and 'gemv' take the vec4 entry point whenever K allows. */
export type DenseVariantRequest = 'auto' | 'tiled' | 'gemv' | 'naive' | DenseVariant;

/** The kernels' override constants (WGSL names). */
export interface DenseTuning {
  tiled: { TX: number; TY: number; RM: number; RN: number; BK: number };
  gemv: { ROWS: number; LANES: number };
  naive: { WG: number };
}

/**
 * Real GPUs: 8×8 invocations × 8×8 outputs = 64×64 tiles, BK = 16 (8 KiB of workgroup memory). Per k,
 * 4 vec4 workgroup loads feed 64 FMAs, against 2 per 16 with 4×4 blocks, which leaves a GPU bound by
 * workgroup-memory bandwidth (CUDA SGEMM write-ups see about 2× from 8×8 blocks). 64×64 rather than
 * 128×128 tiles keep GPT-2 shapes busy (B = 1024, N = 768 is 192 workgroups, not 48).
 * NOT YET MEASURED ON A GPU: sweep with scripts/bench-dense.ts --tiled TX,TY,RM,RN,BK.
 * GEMV: 8 columns per workgroup × 32 lanes (a warp per column on NVIDIA, coalesced), so N = 768 launches
 * 96 workgroups.
 */
export const DEFAULT_DENSE_TUNING: DenseTuning = {
  tiled: { TX: 8, TY: 8, RM: 2, RN: 2, BK: 16 },
  gemv: { ROWS: 8, LANES: 32 },
  naive: { WG: 64 },
};

/**
 * CPU-emulated adapters (SwiftShader). Measured there (scripts/bench-dense.ts, process CPU time at
 * 64×768·768×3072): 8×8 blocks beat 4×4 (≈510 vs ≈650 ms), BK = 8–16 costs about the same, BK = 4 pays for
 * twice the barriers, and the workgroup shape hardly matters. Compile time grows with workgroup memory —
 * SwiftShader zero-fills it with unrolled stores, ≈1 s of CPU per 4 KiB per pipeline — so the tile is
 * kept small: 4×4 invocations, 32×32 outputs, BK = 8, 2 KiB. GEMV uses one lane per column: barriers
 * cost more there than idle lanes do.
 */
export const FALLBACK_DENSE_TUNING: DenseTuning = {
  tiled: { TX: 4, TY: 4, RM: 2, RN: 2, BK: 8 },
  gemv: { ROWS: 64, LANES: 1 },
  naive: { WG: 64 },
};

/** The default tuning for an adapter. */
export function denseTuningFor(fallbackAdapter: boolean): DenseTuning {
  return fallbackAdapter ? FALLBACK_DENSE_TUNING : DEFAULT_DENSE_TUNING;
}

/** 'auto' runs GEMV up to this batch: a tiled kernel wastes most of a 64-row tile on 1–2 rows. */
const GEMV_MAX_BATCH = 2;

/** The concrete kernel for a request: vec4 loads when K % 4 == 0; 'auto' is GEMV for tiny batches. */
export function chooseDenseVariant(shape: DenseShape, request: DenseVariantRequest = 'auto'): DenseVariant {
  const vec4 = shape.k % 4 === 0;
  const family = request === 'auto' ? (shape.batch <= GEMV_MAX_BATCH ? 'gemv' : 'tiled') : request;
  switch (family) {
    case 'tiled':
      return vec4 ? 'tiled-vec4' : 'tiled-scalar';
    case 'gemv':
      return vec4 ? 'gemv-vec4' : 'gemv-scalar';
    default:
      if ((family === 'tiled-vec4' || family === 'gemv-vec4') && !vec4) {
        throw new Error(`DenseMatmul: ${family} needs K % 4 == 0 (K = ${shape.k})`);
      }
      return family;
  }
}

/** The tiled kernel's output tile: bm batch rows × bn columns. */
export function tiledTile(tuning: DenseTuning): { bm: number; bn: number } {
  const { TX, TY, RM, RN } = tuning.tiled;
  return { bm: 4 * RM * TY, bn: 4 * RN * TX };
}

/** Workgroups for a shape: x over output columns, y over batch rows (see each shader's header). */
export function denseDispatchSize(
  shape: DenseShape,
  variant: DenseVariant,
  tuning: DenseTuning = DEFAULT_DENSE_TUNING,
): [number, number, number] {
  switch (variant) {
    case 'tiled-vec4':
    case 'tiled-scalar':
      return [ceilDiv(shape.n, tiledTile(tuning).bn), ceilDiv(shape.batch, tiledTile(tuning).bm), 1];
    case 'gemv-vec4':
    case 'gemv-scalar':
      return [ceilDiv(shape.n, tuning.gemv.ROWS), shape.batch, 1];
    case 'naive':
      return [ceilDiv(shape.n, tuning.naive.WG), shape.batch, 1];
  }
}

function checkTuning(t: DenseTuning, maxInvocations: number): void {
  const pow2 = (v: number) => Number.isInteger(v) && v > 0 && (v & (v - 1)) === 0;
  if (!pow2(t.gemv.LANES))
    throw new Error(`DenseMatmul: gemv LANES = ${t.gemv.LANES} must be a power of two`);
  for (const r of [t.tiled.RM, t.tiled.RN]) {
    if (!(Number.isInteger(r) && r >= 1 && r <= 2))
      throw new Error(`DenseMatmul: tiled RM/RN = ${r} must be 1 or 2`);
  }
  if (!(t.tiled.BK > 0 && t.tiled.BK % 4 === 0)) {
    throw new Error(`DenseMatmul: tiled BK = ${t.tiled.BK} must be a positive multiple of 4`);
  }
  const sizes: [string, number][] = [
    ['tiled', t.tiled.TX * t.tiled.TY],
    ['gemv', t.gemv.ROWS * t.gemv.LANES],
    ['naive', t.naive.WG],
  ];
  for (const [name, size] of sizes) {
    if (!(size >= 1 && size <= maxInvocations)) {
      throw new Error(`DenseMatmul: ${name} workgroup of ${size} invocations exceeds ${maxInvocations}`);
    }
  }
}

export interface DenseMatmulOptions {
  activation?: ActivationName;
  clampMax?: number;
  /** Override constants; unset kernels take denseTuningFor(the adapter). */
  tuning?: Partial<DenseTuning>;
  /**
   * Kernels to compile (default: all five). Each tiled pipeline costs seconds of CPU to compile on
   * SwiftShader, so a caller that knows its shapes (K % 4 == 0, say) can skip the ones it never runs.
   */
  variants?: readonly DenseVariant[];
  /** Bias modes to compile (default both): the autotuner times its candidates with a bias only. */
  biasModes?: readonly ('bias' | 'noBias')[];
}

export interface DenseBuffers {
  x: GPUBuffer; // B·K f32
  w: GPUBuffer; // N·K f32, out×in
  bias?: GPUBuffer; // N f32
  y: GPUBuffer; // B·N f32
}

type DenseFamily = 'tiled' | 'gemv' | 'naive';

/** Each kernel family's shader and the override constants it takes from a tuning. */
const FAMILIES: Record<
  DenseFamily,
  { shader: WgslShader; constants: (t: DenseTuning) => Record<string, number> }
> = {
  tiled: {
    shader: { id: 'matmul_tiled', code: tiledCode },
    constants: (t) => ({ ...t.tiled, BM: tiledTile(t).bm, BN: tiledTile(t).bn }),
  },
  gemv: { shader: { id: 'matmul_gemv', code: gemvCode }, constants: (t) => ({ ...t.gemv }) },
  naive: { shader: { id: 'matmul_naive', code: naiveCode }, constants: (t) => ({ ...t.naive }) },
};

/** A variant's family and entry point: 'tiled-vec4' → tiled, main_vec4. */
function variantKernel(variant: DenseVariant): { family: DenseFamily; entryPoint: string } {
  if (variant === 'naive') return { family: 'naive', entryPoint: 'main' };
  const [family, load] = variant.split('-') as [DenseFamily, 'vec4' | 'scalar'];
  return { family, entryPoint: `main_${load}` };
}

type PipelinePair = { bias?: GPUComputePipeline; noBias?: GPUComputePipeline };

export class DenseMatmul {
  private constructor(
    private readonly ctx: GpuContext,
    private readonly layout: GPUBindGroupLayout,
    private readonly pipelines: ReadonlyMap<DenseVariant, PipelinePair>,
    private readonly noBias: GPUBuffer,
    readonly tuning: DenseTuning,
  ) {}

  /** Compiles every variant (or opts.variants), with and without bias, for one epilogue. */
  static async create(ctx: GpuContext, opts: DenseMatmulOptions = {}): Promise<DenseMatmul> {
    const { device } = ctx;
    const tuning: DenseTuning = { ...denseTuningFor(ctx.info.isFallbackAdapter), ...opts.tuning };
    checkTuning(tuning, device.limits.maxComputeInvocationsPerWorkgroup);
    const { bindGroupLayout, pipelineLayout } = kernelLayout(device, 'DenseMatmul', [3, 1, 1]);
    const epilogue = activationConstants(opts.activation ?? 'none', opts.clampMax ?? 32);
    const compile = (variant: DenseVariant, hasBias: boolean): Promise<GPUComputePipeline> => {
      const { family, entryPoint } = variantKernel(variant);
      const { shader, constants } = FAMILIES[family];
      return getPipeline(device, {
        shader,
        entryPoint,
        layout: pipelineLayout,
        constants: { ...constants(tuning), ...epilogue, HAS_BIAS: hasBias ? 1 : 0 },
      });
    };
    const modes = opts.biasModes ?? ['bias', 'noBias'];
    const pair = async (v: DenseVariant): Promise<PipelinePair> => {
      const [bias, noBias] = await Promise.all(
        (['bias', 'noBias'] as const).map((m) => (modes.includes(m) ? compile(v, m === 'bias') : undefined)),
      );
      return { bias, noBias };
    };
    const pipelines = new Map<DenseVariant, PipelinePair>();
    const wanted = opts.variants ?? DENSE_VARIANTS;
    await Promise.all(wanted.map(async (v) => pipelines.set(v, await pair(v))));
    const noBias = storageBuffer(device, 'DenseMatmul.noBias', 4);
    return new DenseMatmul(ctx, bindGroupLayout, pipelines, noBias, tuning);
  }

  /** Bind buffers for one shape; the dispatch owns its shape uniform ('DenseMatmul.shape'). */
  bind(buffers: DenseBuffers, shape: DenseShape, request: DenseVariantRequest = 'auto'): Dispatch {
    const { device } = this.ctx;
    const { batch, n, k } = shape;
    for (const [name, v] of Object.entries(shape)) {
      if (!Number.isInteger(v) || v < 1)
        throw new Error(`DenseMatmul: ${name} = ${v} must be a positive integer`);
    }
    const need = (what: string, buffer: GPUBuffer, floats: number) => {
      if (buffer.size < floats * 4) {
        throw new Error(
          `DenseMatmul: ${what} (${buffer.label}) holds ${buffer.size} bytes, needs ${floats * 4}`,
        );
      }
    };
    need('x', buffers.x, batch * k);
    need('w', buffers.w, n * k);
    need('y', buffers.y, batch * n);
    if (buffers.bias) need('bias', buffers.bias, n);
    const variant = chooseDenseVariant(shape, request);
    const workgroups = denseDispatchSize(shape, variant, this.tuning);
    const maxGroups = device.limits.maxComputeWorkgroupsPerDimension;
    if (workgroups.some((g) => g > maxGroups)) {
      throw new Error(
        `DenseMatmul: ${variant} grid ${workgroups.join('×')} exceeds ${maxGroups} per dimension`,
      );
    }
    const pair = this.pipelines.get(variant);
    if (!pair) throw new Error(`DenseMatmul: ${variant} was not compiled (see the variants option)`);
    const pipeline = buffers.bias ? pair.bias : pair.noBias;
    if (!pipeline)
      throw new Error(`DenseMatmul: ${variant} was not compiled ${buffers.bias ? 'with' : 'without'} a bias`);
    // 4 × u32: batch, n, k, pad.
    const uniform = uniformU32(device, 'DenseMatmul.shape', [batch, n, k, 0]);
    const bindGroup = bindBuffers(device, `DenseMatmul.bindGroup.${variant}`, this.layout, [
      buffers.x,
      buffers.w,
      buffers.bias ?? this.noBias,
      buffers.y,
      uniform,
    ]);
    return { label: `DenseMatmul.${variant}`, pipeline, bindGroup, workgroups, uniforms: [uniform] };
  }

  /** Frees the kernel's own buffer (the bias dummy); dispatches it bound free their uniforms themselves. */
  dispose(): void {
    this.noBias.destroy();
  }
}
