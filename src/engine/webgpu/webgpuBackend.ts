// The WebGPU backend: both paths of a model pair on one device. Kernels are built at prepare() (their
// pipelines come from the per-device cache, so a second model compiles nothing new), weights upload once
// at prepare(), plans are cached per (path, T, mode); forward() only writes tokens, encodes,
// and reads one staging buffer. Every pass is timed (GPU timestamps, or wall clock without them).

import type { ForwardResult, WeightPath } from '../../contracts';
import {
  linearKernelsFor,
  type PreparedTuning,
  type PrepareTuningOptions,
  prepareTuning,
} from '../../gpu/autotune/prepare';
import type { GpuContext } from '../../gpu/context';
import { AbsTopKKernel } from '../../gpu/kernels/absTopK';
import { FlashAttentionKernel } from '../../gpu/kernels/attentionFused';
import { CspElementwiseKernels } from '../../gpu/kernels/cspElementwise';
import { ElementwiseKernels } from '../../gpu/kernels/elementwise';
import { LayerNormKernel } from '../../gpu/kernels/layerNorm';
import { DenseMatmul, type DenseVariant } from '../../gpu/kernels/matmul';
import { autoCsrVariants, CsrSpmm } from '../../gpu/kernels/spmmCsr';
import { GpuTiming, type TimedStep } from '../../gpu/timing';
import { attentionWidth } from '../../math/arch';
import type { CsrMatrix } from '../../math/csr';
import type { Gpt2Config } from '../../model/config';
import type { Backend, BackendForwardOptions, DnnModel, DnnRun, ModelPair } from '../backend';
import { layerTimings, type PassTime } from '../timings';
import { buildCspForwardPlan, type CspKernels } from './cspPlan';
import { DnnPlans } from './dnnPlans';
import { buildForwardPlan, type Kernels } from './forwardPlan';
import { linearTuneRequest, linearUses } from './linearTuning';
import { checkModelFits, type GpuModel, uploadModel } from './modelBuffers';
import { describeModelBytes, uploadWithinMemory } from './modelFit';
import type { ForwardPlan, PlanStep } from './plan';

const MAX_PLANS = 6;

/** How the backend tunes: the autotuner's options and the batches to tune at (linearTuning.ts). */
export type BackendTuning = PrepareTuningOptions & { batches?: readonly number[] };

export class WebGpuBackend implements Backend {
  readonly kind = 'webgpu' as const;
  readonly reason?: string;
  private kernels: Kernels | null = null;
  /** circuit_sparsity kernels, built when the model has `config.arch`. */
  private cspKernels: CspKernels | null = null;
  private models: Partial<Record<WeightPath, GpuModel>> = {};
  private config: Gpt2Config | null = null;
  private plans = new Map<string, ForwardPlan>();
  private dnn: DnnPlans | null = null;
  private cache: Record<WeightPath, number> = { dense: 0, sparse: 0 };
  private readonly timing: GpuTiming;
  /** How prepare() chooses the linear layers' kernels (src/gpu/autotune): today's defaults unless a caller asks. */
  tuning: BackendTuning = { mode: 'off' };
  /** The last prepare()'s tuning: what was tuned, cached or left at the default. */
  tuned: PreparedTuning | null = null;
  /** This forward's runs per op (BackendForwardOptions.repeats); `timingRepeats` where it names none. */
  private repeats: Readonly<Record<string, number>> = {};

  /** `timingRepeats`: matmul passes are dispatched this many times and timed per dispatch (idempotent). */
  constructor(
    readonly ctx: GpuContext,
    readonly timingRepeats = 1,
  ) {
    this.timing = new GpuTiming(ctx.device, 1024, 'Forward');
  }

  get description(): string {
    return `WebGPU · ${this.ctx.adapterLabel}`;
  }

  get timerSource() {
    return this.timing.source;
  }

  async prepare(models: ModelPair, onProgress?: (fraction: number, what: string) => void): Promise<void> {
    const config = models.dense.config;
    checkModelFits(this.ctx, models.dense);
    checkModelFits(this.ctx, models.sparse);
    this.release();
    this.tuned = null; // set again below once this model's kernels are chosen
    onProgress?.(0, 'compiling kernels');
    const ctx = this.ctx;
    // Only the kernels 'auto' can choose for this model's shapes (compiles cost seconds on SwiftShader).
    const vec4 = config.dModel % 4 === 0 && config.dMlp % 4 === 0 && attentionWidth(config) % 4 === 0;
    const denseVariants: DenseVariant[] = vec4
      ? ['tiled-vec4', 'gemv-vec4']
      : ['tiled-scalar', 'gemv-scalar', 'tiled-vec4', 'gemv-vec4'];
    const csrVariants = autoCsrVariants(ctx);
    const [layerNorm, elementwise, attention, dense, denseGelu, sparse, sparseGelu] = await Promise.all([
      LayerNormKernel.create(ctx),
      ElementwiseKernels.create(ctx),
      FlashAttentionKernel.create(ctx, attentionWidth(config) / config.nHead, config.nCtx),
      DenseMatmul.create(ctx, { variants: denseVariants }),
      DenseMatmul.create(ctx, { activation: 'gelu', variants: denseVariants }),
      CsrSpmm.create(ctx, { variants: csrVariants }),
      CsrSpmm.create(ctx, { activation: 'gelu', variants: csrVariants }),
    ]);
    this.kernels = { layerNorm, elementwise, attention, dense, denseGelu, sparse, sparseGelu };
    this.cspKernels = config.arch ? await createCspKernels(ctx, config) : null;
    // Every linear (block linears and the unembedding, GPT-2 or circuit_sparsity) runs its shape's choice.
    const { batches, ...options } = this.tuning;
    onProgress?.(0.05, 'tuning kernels for this GPU');
    const tuned = await prepareTuning(ctx, linearTuneRequest(models, batches), {
      ...options,
      onProgress: (p) => {
        options.onProgress?.(p);
        onProgress?.(0.05 + 0.2 * (p.done / Math.max(1, p.total)), `tuning kernels (${p.done}/${p.total})`);
      },
    });
    const built = await linearKernelsFor(ctx, tuned, linearUses(models), options.warn);
    this.kernels.linear = built.linear;
    this.tuned = built.tuned;
    await uploadWithinMemory(
      ctx,
      describeModelBytes(models),
      () => {
        onProgress?.(0.3, 'uploading dense weights');
        this.models.dense = uploadModel(ctx, sparse, models.dense, 'dense');
        onProgress?.(0.65, 'uploading sparse weights');
        this.models.sparse = uploadModel(ctx, sparse, models.sparse, 'sparse');
      },
      () => this.release(),
    );
    this.config = config;
    this.cache = { dense: 0, sparse: 0 };
    await ctx.device.queue.onSubmittedWorkDone();
    onProgress?.(1, 'ready');
  }

  cacheLength(path: WeightPath): number {
    return this.cache[path];
  }

  private plan(path: WeightPath, t: number, options: BackendForwardOptions): ForwardPlan {
    const logits = options.logits ?? 'all';
    const activations = options.activations ?? true;
    const key = `${path}:${t}:${logits}:${activations}`;
    let plan = this.plans.get(key);
    if (plan) {
      this.plans.delete(key); // re-insert: the Map's order is the LRU order
    } else {
      const model = this.models[path];
      if (!model || !this.kernels || !this.config) throw new Error('WebGpuBackend: prepare() a model first');
      plan = this.cspKernels
        ? buildCspForwardPlan(this.ctx.device, this.kernels, this.cspKernels, model, this.config, t, {
            logits,
            activations,
          })
        : buildForwardPlan(this.ctx.device, this.kernels, model, this.config, t, { logits, activations });
    }
    this.plans.set(key, plan);
    while (this.plans.size > MAX_PLANS) {
      const [oldKey, old] = this.plans.entries().next().value as [string, ForwardPlan];
      old.dispose();
      this.plans.delete(oldKey);
    }
    return plan;
  }

  async forward(tokens: number[], options: BackendForwardOptions): Promise<ForwardResult> {
    const config = this.config;
    if (!config) throw new Error('WebGpuBackend: prepare() a model first');
    if (this.ctx.isLost) throw new Error(this.ctx.lostMessage ?? 'GPU device lost');
    const { path } = options;
    const t = tokens.length;
    const pos0 = options.append ? this.cache[path] : 0;
    if (t === 0) throw new Error('forward: no tokens');
    if (pos0 + t > config.nCtx) {
      throw new Error(
        `forward: ${pos0} cached + ${t} new tokens exceed the model's context of ${config.nCtx}`,
      );
    }
    for (const id of tokens) {
      if (!Number.isInteger(id) || id < 0 || id >= config.vocabSize) {
        throw new Error(`forward: token id ${id} is outside the vocabulary (0..${config.vocabSize - 1})`);
      }
    }
    const plan = this.plan(path, t, options);
    const { device } = this.ctx;
    device.queue.writeBuffer(plan.tokens, 0, new Uint32Array(tokens));
    device.queue.writeBuffer(plan.step, 0, new Uint32Array([pos0, 0, 0, 0]));
    this.repeats = options.repeats ?? {};
    const passTimes = await this.runTimed(plan.steps);
    const results = await this.readResults(plan, config);
    this.cache[path] = pos0 + t; // only once the pass really completed
    return { ...results, timings: layerTimings(passTimes, path, this.timing.source) };
  }

  private repeatsOf(pass: { op: string; idempotent: boolean }): number {
    return pass.idempotent ? Math.max(1, Math.floor(this.repeats[pass.op] ?? this.timingRepeats)) : 1;
  }

  /** Every pass of the plan, timed (idempotent passes repeated `repeatsOf` times; the time of one run). */
  private async runTimed(steps: PlanStep[]): Promise<PassTime[]> {
    const timed: TimedStep[] = [];
    const passes: Omit<PassTime, 'ms'>[] = [];
    for (const step of steps) {
      if (step.kind === 'copy') {
        timed.push(step);
        continue;
      }
      const { layer, op, dispatches, kernel } = step.pass;
      const repeats = this.repeatsOf(step.pass);
      passes.push({ layer, op, repeats, kernel });
      timed.push({ kind: 'pass', label: op, dispatches, repeats });
    }
    const ms = await this.timing.run(timed);
    return ms.map((m, i) => ({ ...passes[i], ms: m }));
  }

  private async readResults(plan: ForwardPlan, config: Gpt2Config): Promise<Omit<ForwardResult, 'timings'>> {
    await plan.staging.mapAsync(GPUMapMode.READ);
    try {
      const bytes = plan.staging.getMappedRange();
      const { t } = plan;
      const { dModel: d, dMlp: m, vocabSize } = config;
      const take = (offset: number, count: number) =>
        new Float32Array(bytes.slice(offset, offset + 4 * count));
      return {
        logits: take(plan.layout.logits, plan.logitRows * vocabSize),
        activations: {
          residual: plan.layout.residual.map((o) => take(o, t * d)),
          mlp: plan.layout.mlp.map((o) => take(o, t * m)),
        },
      };
    } finally {
      plan.staging.unmap();
    }
  }

  /** Plans are built on the first run of each path (they depend on the batch size). */
  async prepareDnn(model: DnnModel): Promise<void> {
    this.release();
    this.dnn = new DnnPlans(this.ctx, model);
  }

  async runDnn(images: CsrMatrix, path: WeightPath): Promise<DnnRun> {
    if (this.ctx.isLost) throw new Error(this.ctx.lostMessage ?? 'GPU device lost');
    if (!this.dnn) throw new Error('WebGpuBackend: prepareDnn() a network first');
    return this.dnn.run(images, path);
  }

  release(): void {
    this.dnn?.dispose();
    this.dnn = null;
    this.config = null;
    for (const plan of this.plans.values()) plan.dispose();
    this.plans.clear();
    this.models.dense?.dispose();
    this.models.sparse?.dispose();
    this.models = {};
    for (const kernel of Object.values(this.kernels ?? {})) kernel?.dispose();
    this.kernels = null;
  }

  dispose(): void {
    this.release();
    this.timing.dispose();
  }
}

async function createCspKernels(ctx: GpuContext, config: Gpt2Config): Promise<CspKernels> {
  const headDim = attentionWidth(config) / config.nHead;
  const [elementwise, topK, attention] = await Promise.all([
    CspElementwiseKernels.create(ctx),
    AbsTopKKernel.create(ctx),
    FlashAttentionKernel.create(ctx, headDim, config.nCtx, { sink: true }),
  ]);
  return { elementwise, topK, attention };
}
