// `sparsescope spmm`: Y = A·X for a Matrix Market matrix A (M×K) and a dense X (K×B), on the GPU (CSR or
// dense kernels) or the CPU. In the project's contract this is y (B×M) = x (B×K)·Aᵀ with x = Xᵀ, W = A.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseMatrixMarket } from '../formats/matrixMarket';
import { matrixMarketToCsr } from '../formats/matrixMarketCsr';
import { readFloat32, storageBuffer, uploadStorage } from '../gpu/buffers';
import { type Dispatch, disposeDispatches, runDispatches } from '../gpu/kernels/dispatch';
import { DenseMatmul } from '../gpu/kernels/matmul';
import { CsrSpmm } from '../gpu/kernels/spmmCsr';
import { withGpuErrors } from '../gpu/limits';
import { OwnedResources } from '../gpu/owned';
import type { CsrMatrix } from '../math/csr';
import { matmulFast } from '../math/matmul';
import { Rng } from '../math/rng';
import { spmmFast } from '../math/spmm';
import { checkFinite } from '../params/finite';
import { checkDense, LIMITS } from '../params/limits';
import { FLOAT32_MAX } from '../params/values';
import { choiceFlag, numberFlag, type ParsedArgs, stringFlag, UsageError } from './args';
import { type FlagTable, flag, strictFlags } from './flags';
import { openBackend } from './gpu';

/** Parse X.json: an array of K rows, each an array of B finite numbers. Returns x as (B, K) row-major. */
export function parseXJson(text: string, k: number, fileName: string): { x: Float32Array; batch: number } {
  let rows: unknown;
  try {
    rows = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${fileName}: not JSON (${(err as Error).message})`);
  }
  // Bounded by what the file holds: a row needs at least "[0]," (4 characters).
  checkDense(fileName, k, 1);
  if (!Array.isArray(rows) || rows.length !== k) {
    throw new UsageError(`${fileName}: expected an array of ${k} rows (the matrix has ${k} columns)`);
  }
  const batch = Array.isArray(rows[0]) ? rows[0].length : -1;
  if (batch < 1) throw new UsageError(`${fileName}: row 1 is not a non-empty array of numbers`);
  if (batch > LIMITS.batch) {
    throw new UsageError(`${fileName}: ${batch} columns is over the limit of ${LIMITS.batch} (batch)`);
  }
  const x = new Float32Array(batch * k);
  rows.forEach((row: unknown, i) => {
    if (!Array.isArray(row) || row.length !== batch) {
      throw new UsageError(
        `${fileName}: row ${i + 1} has ${Array.isArray(row) ? row.length : 'no'} values, expected ${batch}`,
      );
    }
    row.forEach((v: unknown, b) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new UsageError(`${fileName}: row ${i + 1}, column ${b + 1} is not a finite number`);
      }
      if (Math.abs(v) > FLOAT32_MAX) {
        throw new UsageError(
          `${fileName}: row ${i + 1}, column ${b + 1} (${v}) is outside the float32 range`,
        );
      }
      x[b * k + i] = v;
    });
  });
  return { x, batch };
}

async function gpuProduct(
  ctx: Parameters<typeof CsrSpmm.create>[0],
  a: CsrMatrix,
  x: Float32Array,
  batch: number,
  path: 'sparse' | 'dense',
) {
  const { device } = ctx;
  if (path === 'dense') checkDense('--path dense: the dense copy of A', a.rows, a.cols);
  const owned = new OwnedResources();
  try {
    const xBuf = owned.add(uploadStorage(device, 'Spmm.x', x));
    const y = owned.add(storageBuffer(device, 'Spmm.y', 4 * batch * a.rows));
    let dispatch: Dispatch;
    if (path === 'sparse') {
      const kernel = owned.add(await CsrSpmm.create(ctx));
      const csr = owned.add(kernel.upload(device, a, 'Spmm.A'));
      dispatch = kernel.bind({ x: xBuf, csr, y }, { batch });
    } else {
      const kernel = owned.add(await DenseMatmul.create(ctx));
      const w = owned.add(uploadStorage(device, 'Spmm.Adense', a.toDense()));
      dispatch = kernel.bind({ x: xBuf, w, y }, { batch, n: a.rows, k: a.cols });
    }
    owned.add({ dispose: () => disposeDispatches([dispatch]) });
    runDispatches(device, [dispatch]);
    return await readFloat32(device, y, 4 * batch * a.rows);
  } finally {
    owned.dispose();
  }
}

/** Every flag `spmm` takes. */
const SPMM_FLAGS = {
  matrix: flag.text('A as a Matrix Market file'),
  x: flag.text('X.json: K rows of B numbers (else random X)'),
  batch: flag.int(1, LIMITS.batch, 'columns of a random X (default 1)'),
  seed: flag.seed('of the random X (default 1)'),
  path: flag.choice(['sparse', 'dense']),
  out: flag.text('Y.json to write'),
  backend: flag.backend(),
} satisfies FlagTable;

export async function spmmCommand(rawArgs: ParsedArgs): Promise<number> {
  const args = strictFlags(rawArgs, SPMM_FLAGS);
  const matrixPath = stringFlag(args, 'matrix');
  const outPath = stringFlag(args, 'out');
  if (!matrixPath) throw new UsageError('--matrix A.mtx is required');
  if (!outPath) throw new UsageError('--out Y.json is required');
  const path = choiceFlag(args, 'path', ['sparse', 'dense'] as const, 'sparse');
  const a = matrixMarketToCsr(parseMatrixMarket(readFileSync(matrixPath, 'utf8'), matrixPath));
  const xPath = stringFlag(args, 'x');
  let x: Float32Array;
  let batch: number;
  if (xPath) {
    if (args.flags.has('batch') || args.flags.has('seed'))
      throw new UsageError('--batch and --seed make a random X: give them or --x, not both');
    ({ x, batch } = parseXJson(readFileSync(xPath, 'utf8'), a.cols, xPath));
  } else {
    batch = numberFlag(args, 'batch', 1);
    checkDense('the random X', a.cols, batch);
    x = new Rng(numberFlag(args, 'seed', 1)).uniformArray(batch * a.cols);
  }
  checkDense('Y', a.rows, batch);
  const backend = await openBackend(choiceFlag(args, 'backend', ['webgpu', 'cpu'] as const, 'webgpu'));
  const t0 = performance.now();
  let y: Float32Array;
  if (backend.kind === 'webgpu') {
    const { ctx } = backend;
    y = await withGpuErrors(ctx.device, `spmm (${path} path)`, () => gpuProduct(ctx, a, x, batch, path));
  } else {
    if (path === 'dense') checkDense('--path dense: the dense copy of A', a.rows, a.cols);
    y =
      path === 'sparse'
        ? spmmFast(x, a, null, batch)
        : matmulFast(x, a.toDense(), null, batch, a.rows, a.cols);
  }
  const ms = performance.now() - t0;
  checkFinite('Y', y, (i) => `row ${(i % a.rows) + 1}, column ${Math.floor(i / a.rows) + 1}`);
  // y is (B, M); Y.json wants M rows of B values.
  const rows = Array.from({ length: a.rows }, (_, m) =>
    Array.from({ length: batch }, (_, b) => y[b * a.rows + m]),
  );
  const out: Record<string, unknown> = { y: rows };
  if (!xPath)
    out.x = Array.from({ length: a.cols }, (_, k) =>
      Array.from({ length: batch }, (_, b) => x[b * a.cols + k]),
    );
  writeFileSync(outPath, JSON.stringify(out));
  console.log(
    `Y = A·X: A ${a.rows}×${a.cols} (${a.nnz} nonzeros), X ${a.cols}×${batch}, ${path} path on ` +
      `${backend.kind === 'webgpu' ? backend.ctx.adapterLabel : `the CPU (${backend.reason})`}: ` +
      `one cold run of ${ms.toFixed(1)} ms (compiles, upload and readback included; not a kernel time —\n` +
      `\`sparsescope bench\` measures kernels) → ${outPath}`,
  );
  if (backend.kind === 'webgpu') backend.ctx.dispose();
  return 0;
}
