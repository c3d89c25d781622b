// The WebGPU backend: both paths of a model pair on one device. Kernels are built at prepare() (their
// pipelines come from the per-device cache, so a second model compiles nothing new), weights upload once
// at prepare(), plans are cached per (path, T, mode); forward() only writes tokens, encodes,
// and reads one staging buffer. Every pass is timed (GPU timestamps, or wall clock without them).

import type { ForwardResult, WeightPath } from '../../contracts';
import type { GpuContext } from '../../gpu/context';
import { AbsTopKKernel } from '../../gpu/kernels/absTopK';
import { FlashAttentionKernel } from '../../gpu/kernels/attentionFused';
import { AttentionSinkKernel } from '../../gpu/kernels/attentionSink';
import { CspElementwiseKernels } from '../../gpu/kernels/cspElementwise';
import { encodeDispatch } from '../../gpu/kernels/dispatch';
import { ElementwiseKernels } from '../../gpu/kernels/elementwise';
import { LayerNormKernel } from '../../gpu/kernels/layerNorm';
import { DenseMatmul, type DenseVariant } from '../../gpu/kernels/matmul';
import { autoCsrVariants, CsrSpmm } from '../../gpu/kernels/spmmCsr';
import { GpuTimer } from '../../gpu/timer';
import { attentionWidth } from '../../math/arch';
import type { Gpt2Config } from '../../model/config';
import type { Backend, BackendForwardOptions, ModelPair } from '../backend';
import { layerTimings, type PassTime } from '../timings';
import { buildCspForwardPlan, type CspKernels } from './cspPlan';
import { buildForwardPlan, type ForwardPlan, type Kernels, type PlanStep } from './forwardPlan';
import { checkModelFits, type GpuModel, uploadModel } from './modelBuffers';
import { describeModelBytes, uploadWithinMemory } from './modelFit';

const MAX_PLANS = 6;

export class WebGpuBackend implements Backend {
  readonly kind = 'webgpu' as const;
  readonly reason?: string;
  private kernels: Kernels | null = null;
  /** circuit_sparsity kernels, built when the model has `config.arch`. */
  private cspKernels: CspKernels | null = null;
  private models: Partial<Record<WeightPath, GpuModel>> = {};
  private config: Gpt2Config | null = null;
  private plans = new Map<string, ForwardPlan>();
  private cache: Record<WeightPath, number> = { dense: 0, sparse: 0 };
  private readonly timer: GpuTimer;
  /** This forward's runs per op (BackendForwardOptions.repeats); `timingRepeats` where it names none. */
  private repeats: Readonly<Record<string, number>> = {};

  /** `timingRepeats`: matmul passes are dispatched this many times and timed per dispatch (idempotent). */
  constructor(
    readonly ctx: GpuContext,
    readonly timingRepeats = 1,
  ) {
    this.timer = new GpuTimer(ctx.device, 1024);
  }

  get description(): string {
    return `WebGPU · ${this.ctx.adapterLabel}`;
  }

  get timerSource() {
    return this.timer.source;
  }

  async prepare(models: ModelPair, onProgress?: (fraction: number, what: string) => void): Promise<void> {
    const config = models.dense.config;
    checkModelFits(this.ctx, models.dense);
    checkModelFits(this.ctx, models.sparse);
    this.release();
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
    this.cspKernels = config.arch ? await createCspKernels(ctx, config.nCtx) : null;
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
    const passTimes =
      this.timer.source === 'gpu-timestamp'
        ? await this.runTimestamped(plan.steps)
        : await this.runWall(plan.steps);
    const results = await this.readResults(plan, config);
    this.cache[path] = pos0 + t; // only once the pass really completed
    return { ...results, timings: layerTimings(passTimes, path, this.timer.source) };
  }

  private encodeStep(
    encoder: GPUCommandEncoder,
    step: PlanStep,
    timestampWrites?: GPUComputePassTimestampWrites,
  ) {
    if (step.kind === 'copy') {
      const c = step.copy;
      encoder.copyBufferToBuffer(c.src, c.srcOffset, c.dst, c.dstOffset, c.size);
      return;
    }
    const pass = encoder.beginComputePass({ label: step.pass.op, timestampWrites });
    const repeats = this.repeatsOf(step.pass);
    for (let r = 0; r < repeats; r++) for (const d of step.pass.dispatches) encodeDispatch(pass, d);
    pass.end();
  }

  private repeatsOf(pass: { op: string; idempotent: boolean }): number {
    return pass.idempotent ? Math.max(1, Math.floor(this.repeats[pass.op] ?? this.timingRepeats)) : 1;
  }

  private async runTimestamped(steps: PlanStep[]): Promise<PassTime[]> {
    const { device } = this.ctx;
    const encoder = device.createCommandEncoder({ label: 'Forward.encoder' });
    this.timer.begin();
    const meta: { layer: number; op: string; repeats: number }[] = [];
    for (const step of steps) {
      if (step.kind === 'pass') {
        meta.push({ ...step.pass, repeats: this.repeatsOf(step.pass) });
        this.encodeStep(encoder, step, this.timer.pass(`${step.pass.layer}:${step.pass.op}`));
      } else {
        this.encodeStep(encoder, step);
      }
    }
    const readback = this.timer.resolve(encoder);
    device.queue.submit([encoder.finish()]);
    const times = await this.timer.read(readback);
    return times.map((time, i) => ({
      layer: meta[i].layer,
      op: meta[i].op,
      ms: time.ms / meta[i].repeats,
      repeats: meta[i].repeats,
    }));
  }

  /** Without timestamp queries: submit each pass alone and time it to queue completion. */
  private async runWall(steps: PlanStep[]): Promise<PassTime[]> {
    const { device } = this.ctx;
    const out: PassTime[] = [];
    for (const step of steps) {
      const encoder = device.createCommandEncoder({ label: 'Forward.encoder' });
      this.encodeStep(encoder, step);
      const t0 = performance.now();
      device.queue.submit([encoder.finish()]);
      await device.queue.onSubmittedWorkDone();
      if (step.kind === 'pass') {
        const repeats = this.repeatsOf(step.pass);
        out.push({
          layer: step.pass.layer,
          op: step.pass.op,
          ms: (performance.now() - t0) / repeats,
          repeats,
        });
      }
    }
    return out;
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

  release(): void {
    this.config = null;
    for (const plan of this.plans.values()) plan.dispose();
    this.plans.clear();
    this.models.dense?.dispose();
    this.models.sparse?.dispose();
    this.models = {};
    for (const kernel of Object.values(this.kernels ?? {})) kernel.dispose();
    this.kernels = null;
  }

  dispose(): void {
    this.release();
    this.timer.destroy();
  }
}

async function createCspKernels(ctx: GpuContext, nCtx: number): Promise<CspKernels> {
  const [elementwise, topK, attention] = await Promise.all([
    CspElementwiseKernels.create(ctx),
    AbsTopKKernel.create(ctx),
    AttentionSinkKernel.create(ctx, nCtx),
  ]);
  return { elementwise, topK, attention };
}
