// One candidate on the GPU, for the tuning loop: compile only it (with a bias, as the model's layers run,
// and with GELU and no bias for the check), check it on small cases that are not tile multiples against the
// CPU reference with its output NaN-poisoned first, inside validation error scopes; then time it on the real shape through the one
// timing loop (GpuTiming), repeating the dispatch inside one pass until a sample is well above the timer's
// resolution.
import type { ActivationName } from '../../contracts';
import { CsrMatrix } from '../../math/csr';
import { matmulRef } from '../../math/matmul';
import type { Rng } from '../../math/rng';
import { spmmRef } from '../../math/spmm';
import { poisonBuffer, readFloat32, storageBuffer, uploadStorage } from '../buffers';
import type { GpuContext } from '../context';
import { type Dispatch, disposeDispatches, runDispatches } from '../kernels/dispatch';
import { DenseMatmul, type DenseShape } from '../kernels/matmul';
import { type CsrBuffers, CsrSpmm } from '../kernels/spmmCsr';
import type { GpuTiming } from '../timing';
import type { CsrChoice, CsrShape, DenseChoice } from './candidates';
import type { Trial } from './tuneLoop';

/** The real shape's operands, shared by every candidate of that shape. */
export interface DenseOperands {
  shape: DenseShape;
  x: GPUBuffer;
  w: GPUBuffer;
  bias: GPUBuffer;
  y: GPUBuffer;
}

export interface CsrOperands {
  shape: CsrShape;
  x: GPUBuffer;
  csr: CsrBuffers;
  bias: GPUBuffer;
  y: GPUBuffer;
}

/** One case of the small check: a batch, the epilogue and whether a bias is added. */
interface CheckCase {
  batch: number;
  activation: ActivationName;
  bias: boolean;
}

/**
 * The small check's cases: as timed (bias, no epilogue) at the batch tuned for, then at 8× it (the chooser
 * serves a choice up to 8× the batch it was tuned at), and with GELU and no bias (the MLP's first layer
 * runs GELU; some layers have no bias) — batches capped at 37, so never a tile multiple.
 */
export function checkCases(batch: number): CheckCase[] {
  const tuned = Math.min(batch, 37);
  const wide = Math.min(8 * batch, 37);
  const cases: CheckCase[] = [{ batch: tuned, activation: 'none', bias: true }];
  if (wide !== tuned) cases.push({ batch: wide, activation: 'none', bias: true });
  cases.push({ batch: wide, activation: 'gelu', bias: false });
  return cases;
}

/** The small check's shape: 133 outputs (past two 64-wide tiles), K = 52 or 51 (K's parity kept). */
function checkShape(batch: number, k: number): DenseShape {
  return { batch, n: 133, k: k % 4 === 0 ? 52 : 51 };
}

/** A CSR matrix with `perRow` nonzeros in every row, spread over the columns from a random offset. */
export function spreadCsr(rng: Rng, rows: number, cols: number, perRow: number): CsrMatrix {
  const count = Math.max(1, Math.min(cols, Math.round(perRow)));
  const rowPtr = new Uint32Array(rows + 1);
  const colIdx = new Uint32Array(rows * count);
  for (let r = 0; r < rows; r++) {
    rowPtr[r + 1] = rowPtr[r] + count;
    const offset = rng.next();
    for (let j = 0; j < count; j++) colIdx[r * count + j] = Math.floor(((j + offset) * cols) / count);
  }
  const values = new Float32Array(rows * count).map(() => rng.next() * 2 - 1);
  return new CsrMatrix({ rows, cols, rowPtr, colIdx, values });
}

function worstError(actual: Float32Array, expected: Float32Array): string | null {
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i];
    if (!(Math.abs(actual[i] - e) <= 1e-3 + 1e-3 * Math.abs(e))) {
      return `element ${i} is ${actual[i]}, the CPU reference says ${e}`;
    }
  }
  return null;
}

/** Run `fn` in validation and out-of-memory scopes; any error they catch is thrown. */
async function scoped<T>(device: GPUDevice, fn: () => Promise<T>): Promise<T> {
  device.pushErrorScope('validation');
  device.pushErrorScope('out-of-memory');
  let result: T | undefined;
  let thrown: unknown = null;
  try {
    result = await fn();
  } catch (err) {
    thrown = err;
  }
  const oom = await device.popErrorScope();
  const validation = await device.popErrorScope();
  if (thrown) throw thrown;
  const error = validation ?? oom;
  if (error) throw new Error(error.message);
  return result as T;
}

/** Run one dispatch on poisoned output and compare with the reference; frees what it made. */
async function checkDispatch(
  ctx: GpuContext,
  bind: (y: GPUBuffer) => Dispatch,
  outFloats: number,
  expected: Float32Array,
): Promise<void> {
  const { device } = ctx;
  const y = storageBuffer(device, 'Autotune.check.y', 4 * outFloats);
  try {
    poisonBuffer(device, y, 4 * outFloats);
    const d = bind(y);
    runDispatches(device, [d], 'Autotune.check');
    disposeDispatches([d]);
    const error = worstError(await readFloat32(device, y, 4 * outFloats), expected);
    if (error) throw new Error(`wrong output: ${error}`);
  } finally {
    y.destroy();
  }
}

/** Bind the real shape; a bind that throws (a shape past the adapter's limits) frees the kernel first. */
function bindOrDispose(kernel: { dispose(): void }, bind: () => Dispatch): Dispatch {
  try {
    return bind();
  } catch (err) {
    kernel.dispose();
    throw err;
  }
}

/** Time a bound dispatch: the first sample calibrates how often one sample repeats it. */
function timedTrial(timing: GpuTiming, d: Dispatch, release: () => void): Trial {
  let repeats = 0;
  // Timestamps resolve microseconds (rounded to 100 µs in Chrome); the wall clock adds submit latency.
  const targetMs = timing.source === 'gpu-timestamp' ? 1 : 4;
  const run = async (r: number) =>
    (await timing.run([{ kind: 'pass', label: 'Autotune.pass', dispatches: [d], repeats: r }]))[0];
  return {
    async sample() {
      if (repeats === 0) {
        const once = await run(1);
        repeats = once > 0 ? Math.min(64, Math.max(1, Math.ceil(targetMs / once))) : 64;
        return once;
      }
      return run(repeats);
    },
    dispose() {
      disposeDispatches([d]);
      release();
    },
  };
}

/**
 * The with-bias, no-epilogue kernel `create` builds, once every check case passed: `runCase` gets the kernel
 * of that case's epilogue (the GELU one is compiled without a bias, as the fc layers run it). Inside error
 * scopes; on any failure the kernels are disposed and the reason thrown.
 */
async function checkedKernel<K extends { dispose(): void }>(
  device: GPUDevice,
  batch: number,
  create: (activation: ActivationName, bias: boolean) => Promise<K>,
  runCase: (kernel: K, c: CheckCase) => Promise<void>,
  usable: (kernel: K) => void = () => {},
): Promise<K> {
  return scoped(device, async () => {
    const plain = await create('none', true);
    let gelu: K | null = null;
    try {
      usable(plain);
      gelu = await create('gelu', false);
      for (const c of checkCases(batch)) await runCase(c.activation === 'gelu' ? gelu : plain, c);
      return plain;
    } catch (err) {
      plain.dispose();
      throw err;
    } finally {
      gelu?.dispose();
    }
  });
}

/**
 * The candidate compiled alone (with a bias, no epilogue) after passing the small check against the CPU
 * reference (NaN-poisoned output, non-tile sizes, GELU and no-bias cases); throws with the reason when it does
 * not build or gives a wrong output. `bench --all-candidates` runs the same check before timing one.
 */
export async function checkedDenseKernel(
  ctx: GpuContext,
  choice: DenseChoice,
  shape: DenseOperands['shape'],
  rng: Rng,
): Promise<DenseMatmul> {
  const create = (activation: ActivationName, bias: boolean) =>
    DenseMatmul.create(ctx, {
      tuning: choice.tuning,
      variants: [choice.variant],
      activation,
      biasModes: [bias ? 'bias' : 'noBias'],
    });
  return checkedKernel(ctx.device, shape.batch, create, async (kernel, c) => {
    const { device } = ctx;
    const small = checkShape(c.batch, shape.k);
    const x = rng.uniformArray(small.batch * small.k);
    const w = rng.uniformArray(small.n * small.k);
    const bias = c.bias ? rng.uniformArray(small.n) : null;
    const expected = matmulRef(x, w, bias, small.batch, small.n, small.k, c.activation);
    const xBuffer = uploadStorage(device, 'Autotune.check.x', x);
    const wBuffer = uploadStorage(device, 'Autotune.check.w', w);
    const biasBuffer = bias ? uploadStorage(device, 'Autotune.check.bias', bias) : undefined;
    try {
      await checkDispatch(
        ctx,
        (y) => kernel.bind({ x: xBuffer, w: wBuffer, bias: biasBuffer, y }, small, choice.variant),
        small.batch * small.n,
        expected,
      );
    } finally {
      xBuffer.destroy();
      wBuffer.destroy();
      biasBuffer?.destroy();
    }
  });
}

export async function openDenseTrial(
  ctx: GpuContext,
  choice: DenseChoice,
  operands: DenseOperands,
  timing: GpuTiming,
  rng: Rng,
): Promise<Trial> {
  const kernel = await checkedDenseKernel(ctx, choice, operands.shape, rng);
  const { x, w, bias, y, shape } = operands;
  return timedTrial(
    timing,
    bindOrDispose(kernel, () => kernel.bind({ x, w, bias, y }, shape, choice.variant)),
    () => kernel.dispose(),
  );
}

/** As checkedDenseKernel, for a CSR candidate (a subgroup one only where the device has subgroups). */
export async function checkedCsrKernel(
  ctx: GpuContext,
  choice: CsrChoice,
  shape: CsrOperands['shape'],
  rng: Rng,
): Promise<CsrSpmm> {
  const create = (activation: ActivationName, bias: boolean) =>
    CsrSpmm.create(ctx, {
      tuning: choice.tuning,
      variants: [choice.variant],
      activation,
      biasModes: [bias ? 'bias' : 'noBias'],
    });
  const usable = (kernel: CsrSpmm) => {
    if (!kernel.variants.includes(choice.variant)) throw new Error(`${choice.variant} is not available here`);
  };
  return checkedKernel(
    ctx.device,
    shape.batch,
    create,
    async (kernel, c) => {
      const { device } = ctx;
      const small = checkShape(c.batch, shape.k);
      const perRow = Math.max(1, (shape.nnzPerRow * small.k) / shape.k);
      const csr = spreadCsr(rng, small.n, small.k, perRow);
      const x = rng.uniformArray(small.batch * small.k);
      const bias = c.bias ? rng.uniformArray(small.n) : null;
      const expected = spmmRef(x, csr, bias, small.batch, c.activation);
      const csrBuffers = kernel.upload(device, csr, 'Autotune.check.csr');
      const xBuffer = uploadStorage(device, 'Autotune.check.x', x);
      const biasBuffer = bias ? uploadStorage(device, 'Autotune.check.bias', bias) : undefined;
      try {
        await checkDispatch(
          ctx,
          (y) => kernel.bind({ x: xBuffer, csr: csrBuffers, bias: biasBuffer, y }, small, choice.variant),
          small.batch * small.n,
          expected,
        );
      } finally {
        csrBuffers.dispose();
        xBuffer.destroy();
        biasBuffer?.destroy();
      }
    },
    usable,
  );
}

export async function openCsrTrial(
  ctx: GpuContext,
  choice: CsrChoice,
  operands: CsrOperands,
  timing: GpuTiming,
  rng: Rng,
): Promise<Trial> {
  const kernel = await checkedCsrKernel(ctx, choice, operands.shape, rng);
  const { x, csr, bias, y, shape } = operands;
  return timedTrial(
    timing,
    bindOrDispose(kernel, () => kernel.bind({ x, csr, bias, y }, shape, choice.variant)),
    () => kernel.dispose(),
  );
}
