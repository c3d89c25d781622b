// The kernels a model's (or a sweep's) linear layers run, one per choice: a layer's shape picks its choice
// through the KernelChooser (tuned, cached or default), and each distinct (epilogue, bias, tuning) gets its
// own DenseMatmul or CsrSpmm compiled with just the variants chosen. Every choice a layer can resolve to
// is compiled up front by create/add (bind is synchronous), and the set owns and disposes all of them.
import type { ActivationName } from '../../contracts';
import type { GpuContext } from '../context';
import type { Dispatch } from '../kernels/dispatch';
import { type DenseBuffers, DenseMatmul, type DenseShape, type DenseVariant } from '../kernels/matmul';
import { type CsrBuffers, CsrSpmm, type CsrVariant } from '../kernels/spmmCsr';
import { describeChoice, type KernelChoice } from './candidates';
import type { ChoiceOrigin, KernelChooser, ResolvedChoice } from './table';

/** A linear layer's shape and epilogue, as a plan will bind it. */
export interface LinearUse {
  n: number;
  k: number;
  activation: ActivationName;
  bias: boolean;
  /** Set for a CSR layer: its nonzeros per output row. */
  nnzPerRow?: number;
}

/** What ran: the variant with its constants, and how it was chosen. */
export interface KernelRun {
  kernel: string;
  how: ChoiceOrigin;
}

/**
 * Batches probed for the default choices a layer can resolve to (every regime of the defaults); the batch of
 * every tuned entry is probed too, since any batch resolves to a tuned entry or to a default.
 */
const PROBE_BATCHES = [
  1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 4096,
];

function kernelKey(choice: KernelChoice, activation: ActivationName, bias: boolean): string {
  return `${choice.family}|${activation}|${bias}|${JSON.stringify(choice.tuning)}`;
}

type Entry =
  | { family: 'dense'; variants: Set<string>; kernel: DenseMatmul }
  | { family: 'csr'; variants: Set<string>; kernel: CsrSpmm };

export class LinearKernels {
  private readonly kernels = new Map<string, Entry>();
  private readonly retired: { dispose(): void }[] = [];

  constructor(
    private readonly ctx: GpuContext,
    readonly chooser: KernelChooser,
  ) {}

  static async create(
    ctx: GpuContext,
    chooser: KernelChooser,
    uses: readonly LinearUse[],
  ): Promise<LinearKernels> {
    const set = new LinearKernels(ctx, chooser);
    try {
      await set.add(uses);
    } catch (err) {
      set.dispose();
      throw err;
    }
    return set;
  }

  /** Compile every kernel these layers can resolve to (at any batch) that is not compiled yet. */
  async add(uses: readonly LinearUse[]): Promise<void> {
    const wanted = new Map<
      string,
      { choice: KernelChoice; activation: ActivationName; bias: boolean; variants: Set<string> }
    >();
    const tunedBatches = Object.values(this.chooser.table)
      .filter((e) => e.how === 'tuned')
      .map((e) => e.batch);
    const batches = [...new Set([...PROBE_BATCHES, ...tunedBatches])];
    for (const use of uses) {
      for (const batch of batches) {
        const { choice } = resolveUse(this.chooser, use, batch);
        const key = kernelKey(choice, use.activation, use.bias);
        if (this.kernels.get(key)?.variants.has(choice.variant)) continue;
        const w = wanted.get(key) ?? {
          choice,
          activation: use.activation,
          bias: use.bias,
          variants: new Set(this.kernels.get(key)?.variants ?? []),
        };
        w.variants.add(choice.variant);
        wanted.set(key, w);
      }
    }
    await Promise.all(
      [...wanted].map(async ([key, w]) => {
        const common = { activation: w.activation, biasModes: [w.bias ? 'bias' : 'noBias'] as const };
        const entry: Entry =
          w.choice.family === 'dense'
            ? {
                family: 'dense',
                variants: w.variants,
                kernel: await DenseMatmul.create(this.ctx, {
                  ...common,
                  tuning: w.choice.tuning,
                  variants: [...w.variants] as DenseVariant[],
                }),
              }
            : {
                family: 'csr',
                variants: w.variants,
                kernel: await CsrSpmm.create(this.ctx, {
                  ...common,
                  tuning: w.choice.tuning,
                  variants: [...w.variants] as CsrVariant[],
                }),
              };
        // A kernel recompiled with more variants replaces the old one, whose dispatches may still be bound.
        const old = this.kernels.get(key);
        if (old) this.retired.push(old.kernel);
        this.kernels.set(key, entry);
      }),
    );
  }

  private entry(choice: KernelChoice, activation: ActivationName, bias: boolean): Entry {
    const e = this.kernels.get(kernelKey(choice, activation, bias));
    if (!e?.variants.has(choice.variant)) {
      throw new Error(
        `LinearKernels: ${describeChoice(choice)} (${activation}, bias ${bias}) was not prepared`,
      );
    }
    return e;
  }

  /** A dense layer's dispatch with the kernel chosen for its shape. */
  bindDense(
    activation: ActivationName,
    buffers: DenseBuffers,
    shape: DenseShape,
  ): Dispatch & { run: KernelRun } {
    const use = { n: shape.n, k: shape.k, activation, bias: buffers.bias !== undefined };
    const resolved = resolveUse(this.chooser, use, shape.batch);
    const e = this.entry(resolved.choice, activation, use.bias);
    if (e.family !== 'dense') throw new Error('LinearKernels: not a dense kernel');
    const d = e.kernel.bind(buffers, shape, resolved.choice.variant as DenseVariant);
    return { ...d, run: runOf(resolved) };
  }

  /** A CSR layer's dispatch with the kernel chosen for its shape and row length. */
  bindCsr(
    activation: ActivationName,
    buffers: { x: GPUBuffer; csr: CsrBuffers; bias?: GPUBuffer; y: GPUBuffer },
    shape: { batch: number },
  ): Dispatch & { run: KernelRun } {
    const { csr } = buffers;
    const use = {
      n: csr.rows,
      k: csr.cols,
      activation,
      bias: buffers.bias !== undefined,
      nnzPerRow: nnzPerRow(csr),
    };
    const resolved = resolveUse(this.chooser, use, shape.batch);
    const e = this.entry(resolved.choice, activation, use.bias);
    if (e.family !== 'csr') throw new Error('LinearKernels: not a CSR kernel');
    const d = e.kernel.bind(buffers, shape, resolved.choice.variant as CsrVariant);
    return { ...d, run: runOf(resolved) };
  }

  /** Kernel objects compiled (one per distinct epilogue, bias and tuning). */
  get size(): number {
    return this.kernels.size;
  }

  dispose(): void {
    for (const e of this.kernels.values()) e.kernel.dispose();
    for (const k of this.retired.splice(0)) k.dispose();
    this.kernels.clear();
  }
}

function nnzPerRow(csr: { rows: number; nnz: number }): number {
  return csr.rows > 0 ? csr.nnz / csr.rows : 0;
}

function resolveUse(chooser: KernelChooser, use: LinearUse, batch: number): ResolvedChoice {
  return use.nnzPerRow === undefined
    ? chooser.dense({ batch, n: use.n, k: use.k })
    : chooser.csr({ batch, n: use.n, k: use.k, nnzPerRow: use.nnzPerRow });
}

function runOf(r: ResolvedChoice): KernelRun {
  return { kernel: describeChoice(r.choice), how: r.how };
}
