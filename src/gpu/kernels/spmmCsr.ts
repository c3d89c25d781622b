// CSR sparse × dense on the GPU: y (B×N) = act(x (B×K) · Wᵀ + bias), W (N×K) out×in as CSR over output
// rows (src/math/csr.ts), x and y row-major. Three kernels (shaders/spmm_csr_*.wgsl):
//   subgroup  — a row per subgroup, lanes over the row's nonzeros, subgroupAdd (needs 'subgroups');
//   workgroup — a few rows per workgroup, threads over nonzeros, tree reduction in workgroup memory;
//   batched   — a thread per (row, tile of TB batch entries): each nonzero loaded once per tile.
// The CPU reference is spmmRef in src/math/spmm.ts.
import batchedCode from '../../../shaders/spmm_csr_batched.wgsl?raw';
import subgroupCode from '../../../shaders/spmm_csr_subgroup.wgsl?raw';
import workgroupCode from '../../../shaders/spmm_csr_workgroup.wgsl?raw';
import type { ActivationName } from '../../contracts';
import type { CsrMatrix } from '../../math/csr';
import { uniformU32, uploadStorage } from '../buffers';
import type { GpuContext } from '../context';
import { bindBuffers, getPipeline, kernelLayout, type WgslShader, wgslConstU32 } from '../pipelines';
import { activationConstants, ceilDiv, type Dispatch } from './dispatch';

export type CsrVariant = 'subgroup' | 'workgroup' | 'batched';
const CSR_VARIANTS: readonly CsrVariant[] = ['subgroup', 'workgroup', 'batched'];

/** The kernels' override constants (WG = workgroup size; TB = batch entries per pass over a row). */
export interface CsrTuning {
  subgroup: { WG: number; ROWS_PER_WG: number; TB: number };
  workgroup: { WG: number; THREADS_PER_ROW: number; TB: number };
  batched: { WG: number; TB: number };
}

const SHADERS: Record<CsrVariant, WgslShader> = {
  subgroup: { id: 'spmm_csr_subgroup', code: subgroupCode },
  workgroup: { id: 'spmm_csr_workgroup', code: workgroupCode },
  batched: { id: 'spmm_csr_batched', code: batchedCode },
};

/** A kernel's cap on TB: the MAX_TB its shader declares (private accumulator arrays need a constant size). */
export function csrMaxTb(variant: CsrVariant): number {
  return wgslConstU32(SHADERS[variant], 'MAX_TB');
}

// Chosen on SwiftShader at N = 3072, K = 768, density 1/64 (see chooseCsrVariant); THREADS_PER_ROW = 4 suits
// rows of ~10–50 nonzeros (GPT-2 small at density 1/64) and costs the fewest barriers.
export const DEFAULT_CSR_TUNING: CsrTuning = {
  subgroup: { WG: 64, ROWS_PER_WG: 16, TB: 8 },
  workgroup: { WG: 64, THREADS_PER_ROW: 4, TB: 8 },
  batched: { WG: 64, TB: 8 },
};

/** Today's tuning on this adapter: DEFAULT_CSR_TUNING with the subgroup kernel's rows per workgroup. */
export function csrTuningFor(ctx: GpuContext): CsrTuning {
  const { WG } = DEFAULT_CSR_TUNING.subgroup;
  const rows = subgroupRowsPerWorkgroup(WG, ctx.adapter.info.subgroupMinSize);
  return { ...DEFAULT_CSR_TUNING, subgroup: { ...DEFAULT_CSR_TUNING.subgroup, ROWS_PER_WG: rows } };
}

/**
 * Rows a subgroup-kernel workgroup covers: two per subgroup when the adapter reports its smallest
 * subgroup size (GPUAdapterInfo.subgroupMinSize), else 16. Only speed depends on it — the kernel is
 * correct for any subgroup size — and fewer, fuller workgroups matter on emulated 4-wide subgroups
 * while a 32-wide GPU wants many workgroups.
 */
export function subgroupRowsPerWorkgroup(wg: number, subgroupMinSize: number | undefined): number {
  if (!subgroupMinSize || subgroupMinSize < 1) return 16;
  return Math.min(64, Math.max(2, 2 * Math.floor(wg / subgroupMinSize)));
}

/** Workgroups for `rows` output rows and `batch` inputs, before folding into a 2-D grid. */
export function csrWorkgroupCount(
  variant: CsrVariant,
  rows: number,
  batch: number,
  tuning: CsrTuning = DEFAULT_CSR_TUNING,
): number {
  if (rows === 0 || batch === 0) return 0;
  switch (variant) {
    case 'subgroup':
      return ceilDiv(rows, tuning.subgroup.ROWS_PER_WG);
    case 'workgroup':
      return ceilDiv(rows, tuning.workgroup.WG / tuning.workgroup.THREADS_PER_ROW);
    case 'batched':
      return ceilDiv(rows, tuning.batched.WG) * ceilDiv(batch, tuning.batched.TB);
  }
}

/**
 * The dispatch grid: the linear workgroup count folded into x and y so that neither exceeds
 * maxComputeWorkgroupsPerDimension (the shaders read `groupsX` = grid[0] to linearise it again;
 * workgroups past the count find no row and do nothing).
 */
export function csrDispatchSize(
  variant: CsrVariant,
  rows: number,
  batch: number,
  maxPerDimension = 65535,
  tuning: CsrTuning = DEFAULT_CSR_TUNING,
): [number, number, number] {
  const total = csrWorkgroupCount(variant, rows, batch, tuning);
  if (total === 0) return [0, 1, 1];
  const groupsX = Math.min(total, maxPerDimension);
  const groupsY = ceilDiv(total, groupsX);
  if (groupsY > maxPerDimension) {
    throw new Error(`CsrSpmm: ${total} workgroups do not fit a ${maxPerDimension}² grid`);
  }
  return [groupsX, groupsY, 1];
}

export interface CsrChoiceInput {
  batch: number;
  /** The device has the 'subgroups' feature (the subgroup kernel was compiled). */
  subgroups: boolean;
  /** A CPU-emulated adapter such as SwiftShader (isFallbackAdapter). */
  fallbackAdapter: boolean;
}

/**
 * Which kernel 'auto' runs. Measured on SwiftShader (N = 3072, K = 768, density 1/64): the thread-per-row
 * batched kernel wins at every batch there — emulated lanes gain nothing from spreading a 12-nonzero row,
 * and barriers are expensive. On a real GPU one thread per row leaves most lanes idle at batch 1
 * (3,072 threads), so the row-per-subgroup kernel takes small batches and the batched kernel takes the rest.
 */
export function chooseCsrVariant(input: CsrChoiceInput): CsrVariant {
  if (input.fallbackAdapter) return 'batched';
  if (input.batch <= 4) return input.subgroups ? 'subgroup' : 'workgroup';
  return 'batched';
}

/** GPU copies of a CsrMatrix. Empty arrays are padded to one word (WebGPU rejects 0-byte bindings). */
export interface CsrBuffers {
  rowPtr: GPUBuffer;
  colIdx: GPUBuffer;
  values: GPUBuffer;
  rows: number;
  cols: number;
  nnz: number;
  dispose(): void;
}

export interface CsrSpmmOptions {
  activation?: ActivationName;
  clampMax?: number;
  tuning?: Partial<CsrTuning>;
  /** Fold the grid at this size instead of the device's maxComputeWorkgroupsPerDimension (tests use it). */
  maxWorkgroupsPerDimension?: number;
  /** Kernels to compile (default: all this device can run). Compiles are slow on SwiftShader. */
  variants?: readonly CsrVariant[];
  /** Bias modes to compile (default both): the autotuner times its candidates with a bias only. */
  biasModes?: readonly ('bias' | 'noBias')[];
}

/** The variants 'auto' can pick on this device: compile just these when only 'auto' is used. */
export function autoCsrVariants(ctx: GpuContext): CsrVariant[] {
  const choices = [1, 2, 4, 8, 64].map((batch) =>
    chooseCsrVariant({
      batch,
      subgroups: ctx.features.subgroups,
      fallbackAdapter: ctx.info.isFallbackAdapter,
    }),
  );
  return [...new Set(choices)];
}

type PipelineSet = Partial<Record<CsrVariant, { bias?: GPUComputePipeline; noBias?: GPUComputePipeline }>>;

export class CsrSpmm {
  private constructor(
    private readonly ctx: GpuContext,
    private readonly layout: GPUBindGroupLayout,
    private readonly pipelines: PipelineSet,
    private readonly noBias: GPUBuffer,
    readonly tuning: CsrTuning,
    private readonly maxPerDimension: number,
  ) {}

  /** Compiles every kernel this device can run (subgroup only with 'subgroups'), with and without bias. */
  static async create(ctx: GpuContext, opts: CsrSpmmOptions = {}): Promise<CsrSpmm> {
    const { device } = ctx;
    const tuning: CsrTuning = { ...csrTuningFor(ctx), ...opts.tuning };
    for (const v of CSR_VARIANTS) {
      if (tuning[v].TB < 1 || tuning[v].TB > csrMaxTb(v)) {
        throw new Error(`CsrSpmm: ${v} TB = ${tuning[v].TB} is outside 1..${csrMaxTb(v)}`);
      }
    }
    const tpr = tuning.workgroup.THREADS_PER_ROW;
    if ((tpr & (tpr - 1)) !== 0 || tuning.workgroup.WG % tpr !== 0) {
      throw new Error(`CsrSpmm: THREADS_PER_ROW = ${tpr} must be a power of two dividing WG`);
    }
    const { bindGroupLayout, pipelineLayout } = kernelLayout(device, 'CsrSpmm', [5, 1, 1]);
    const epilogue = activationConstants(opts.activation ?? 'none', opts.clampMax ?? 32);
    const variants = (opts.variants ?? CSR_VARIANTS).filter(
      (v) => v !== 'subgroup' || ctx.features.subgroups,
    );
    const compile = (variant: CsrVariant, hasBias: boolean): Promise<GPUComputePipeline> =>
      getPipeline(device, {
        shader: SHADERS[variant],
        layout: pipelineLayout,
        constants: { ...tuning[variant], ...epilogue, HAS_BIAS: hasBias ? 1 : 0 },
      });
    const modes = opts.biasModes ?? ['bias', 'noBias'];
    const pipelines: PipelineSet = {};
    await Promise.all(
      variants.map(async (v) => {
        const [bias, noBias] = await Promise.all(
          (['bias', 'noBias'] as const).map((m) =>
            modes.includes(m) ? compile(v, m === 'bias') : undefined,
          ),
        );
        pipelines[v] = { bias, noBias };
      }),
    );
    const noBias = uploadStorage(device, 'CsrSpmm.noBias', new Float32Array(1));
    const maxPerDimension = Math.min(
      opts.maxWorkgroupsPerDimension ?? Number.POSITIVE_INFINITY,
      ctx.limits.maxComputeWorkgroupsPerDimension,
    );
    return new CsrSpmm(ctx, bindGroupLayout, pipelines, noBias, tuning, maxPerDimension);
  }

  /** Kernels compiled on this device. */
  get variants(): CsrVariant[] {
    return CSR_VARIANTS.filter((v) => this.pipelines[v] !== undefined);
  }

  /** What 'auto' picks for a batch size on this device. */
  chooseVariant(batch: number): CsrVariant {
    return chooseCsrVariant({
      batch,
      subgroups: this.pipelines.subgroup !== undefined,
      fallbackAdapter: this.ctx.info.isFallbackAdapter,
    });
  }

  upload(device: GPUDevice, csr: CsrMatrix, label: string): CsrBuffers {
    const rowPtr = uploadStorage(device, `${label}.rowPtr`, csr.rowPtr);
    const colIdx = uploadStorage(device, `${label}.colIdx`, csr.colIdx);
    const values = uploadStorage(device, `${label}.values`, csr.values);
    return {
      rowPtr,
      colIdx,
      values,
      rows: csr.rows,
      cols: csr.cols,
      nnz: csr.nnz,
      dispose() {
        rowPtr.destroy();
        colIdx.destroy();
        values.destroy();
      },
    };
  }

  /** A ready-to-encode dispatch (bind group and shape uniform made here, once per plan; it owns the uniform). */
  bind(
    buffers: { x: GPUBuffer; csr: CsrBuffers; bias?: GPUBuffer; y: GPUBuffer },
    shape: { batch: number },
    variant: 'auto' | CsrVariant = 'auto',
  ): Dispatch {
    const { csr } = buffers;
    const { batch } = shape;
    const chosen = variant === 'auto' ? this.chooseVariant(batch) : variant;
    const pair = this.pipelines[chosen];
    if (!pair) throw new Error(`CsrSpmm: the ${chosen} kernel is not available on this device`);
    const pipeline = buffers.bias ? pair.bias : pair.noBias;
    if (!pipeline)
      throw new Error(`CsrSpmm: ${chosen} was not compiled ${buffers.bias ? 'with' : 'without'} a bias`);
    const need = (what: string, buffer: GPUBuffer, bytes: number): void => {
      if (buffer.size < bytes) {
        throw new Error(`CsrSpmm: ${what} '${buffer.label}' has ${buffer.size} bytes, needs ${bytes}`);
      }
    };
    need('x', buffers.x, 4 * batch * csr.cols);
    need('y', buffers.y, 4 * batch * csr.rows);
    if (buffers.bias) need('bias', buffers.bias, 4 * csr.rows);
    const workgroups = csrDispatchSize(chosen, csr.rows, batch, this.maxPerDimension, this.tuning);
    const device = this.ctx.device;
    // 4 × u32: N, K, B, groupsX.
    const uniform = uniformU32(device, `CsrSpmm.shape`, [csr.rows, csr.cols, batch, workgroups[0]]);
    const bindGroup = bindBuffers(device, `CsrSpmm.bindGroup.${chosen}`, this.layout, [
      buffers.x,
      csr.rowPtr,
      csr.colIdx,
      csr.values,
      buffers.bias ?? this.noBias,
      buffers.y,
      uniform,
    ]);
    return {
      label: `CsrSpmm.${chosen}`,
      pipeline,
      bindGroup,
      workgroups,
      uniforms: [uniform],
    };
  }

  /** Frees the kernel's own buffer (the bias dummy); dispatches it bound free their uniforms themselves. */
  dispose(): void {
    this.noBias.destroy();
  }
}
