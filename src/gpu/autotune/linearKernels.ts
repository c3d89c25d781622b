// The kernels a model's (or a sweep's) linear layers run, one per choice: a layer's shape picks its choice
// through the KernelChooser (tuned, cached or default), and each distinct (epilogue, bias, tuning) gets its
// own DenseMatmul or CsrSpmm compiled with just the variants chosen. Every choice a layer can resolve to
// is compiled up front (bind is synchronous), and the set owns and disposes all of them.
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

/** Batches probed for the choices a layer can resolve to (every regime of the defaults and the table). */
const PROBE_BATCHES = [
  1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 4096,
];

function kernelKey(choice: KernelChoice, activation: ActivationName, bias: boolean): string {
  const own = choice.family === 'dense' ? choice.tuning : choice.tuning;
  return `${choice.family}|${activation}|${bias}|${JSON.stringify(own)}`;
}

type Entry =
  | {
      family: 'dense';
      choice: KernelChoice;
      activation: ActivationName;
      bias: boolean;
      variants: Set<string>;
      kernel?: DenseMatmul;
    }
  | {
      family: 'csr';
      choice: KernelChoice;
      activation: ActivationName;
      bias: boolean;
      variants: Set<string>;
      kernel?: CsrSpmm;
    };

export class LinearKernels {
  private constructor(
    readonly chooser: KernelChooser,
    private readonly kernels: Map<string, Entry>,
  ) {}

  static async create(
    ctx: GpuContext,
    chooser: KernelChooser,
    uses: readonly LinearUse[],
  ): Promise<LinearKernels> {
    const entries = new Map<string, Entry>();
    for (const use of uses) {
      for (const batch of PROBE_BATCHES) {
        const { choice } = resolveUse(chooser, use, batch);
        const key = kernelKey(choice, use.activation, use.bias);
        const entry =
          entries.get(key) ??
          ({
            family: choice.family,
            choice,
            activation: use.activation,
            bias: use.bias,
            variants: new Set(),
          } as Entry);
        entry.variants.add(choice.variant);
        entries.set(key, entry);
      }
    }
    const set = new LinearKernels(chooser, entries);
    try {
      await Promise.all(
        [...entries.values()].map(async (e) => {
          const common = { activation: e.activation, biasModes: [e.bias ? 'bias' : 'noBias'] as const };
          if (e.family === 'dense' && e.choice.family === 'dense') {
            e.kernel = await DenseMatmul.create(ctx, {
              ...common,
              tuning: e.choice.tuning,
              variants: [...e.variants] as DenseVariant[],
            });
          } else if (e.family === 'csr' && e.choice.family === 'csr') {
            e.kernel = await CsrSpmm.create(ctx, {
              ...common,
              tuning: e.choice.tuning,
              variants: [...e.variants] as CsrVariant[],
            });
          }
        }),
      );
    } catch (err) {
      set.dispose();
      throw err;
    }
    return set;
  }

  private entry(choice: KernelChoice, activation: ActivationName, bias: boolean): Entry {
    const e = this.kernels.get(kernelKey(choice, activation, bias));
    if (!e?.kernel) {
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
    if (e.family !== 'dense' || !e.kernel) throw new Error('LinearKernels: not a dense kernel');
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
    if (e.family !== 'csr' || !e.kernel) throw new Error('LinearKernels: not a CSR kernel');
    const d = e.kernel.bind(buffers, shape, resolved.choice.variant as CsrVariant);
    return { ...d, run: runOf(resolved) };
  }

  /** Kernel objects compiled (one per distinct epilogue, bias and tuning). */
  get size(): number {
    return this.kernels.size;
  }

  dispose(): void {
    for (const e of this.kernels.values()) e.kernel?.dispose();
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
