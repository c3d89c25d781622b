// CSR SpMM kernels against spmmRef: every compiled variant, batches 1/3/64, densities 0…1, odd shapes,
// degenerate rows, bias and activations; outputs NaN-poisoned before each run.
import { beforeAll, describe, expect, it } from 'vitest';
import type { ActivationName as Activation } from '../../src/contracts';
import { poisonBuffer, readFloat32, storageBuffer, uploadStorage } from '../../src/gpu/buffers';
import type { GpuContext } from '../../src/gpu/context';
import { measureCopyBandwidth } from '../../src/gpu/kernels/copy';
import { disposeDispatches, runDispatches } from '../../src/gpu/kernels/dispatch';
import { CsrSpmm, type CsrVariant } from '../../src/gpu/kernels/spmmCsr';
import { CsrMatrix } from '../../src/math/csr';
import { Rng } from '../../src/math/rng';
import { spmmRef } from '../../src/math/spmm';
import { expectClose, gpuContext, withErrorScopes } from './harness';

let ctx: GpuContext;
const kernels = new Map<string, CsrSpmm>();
const rng = new Rng(20250611);

function randomCsr(rows: number, cols: number, density: number): CsrMatrix {
  const dense = new Float32Array(rows * cols);
  for (let i = 0; i < dense.length; i++) if (rng.next() < density) dense[i] = rng.normal();
  return CsrMatrix.fromDense(dense, rows, cols);
}

/** Rows given as lists of columns; values random. */
function csrFromRows(cols: number, rowCols: number[][]): CsrMatrix {
  const rowPtr = new Uint32Array(rowCols.length + 1);
  rowCols.forEach((c, r) => {
    rowPtr[r + 1] = rowPtr[r] + c.length;
  });
  return new CsrMatrix({
    rows: rowCols.length,
    cols,
    rowPtr,
    colIdx: new Uint32Array(rowCols.flat()),
    values: rng.normalArray(rowPtr[rowCols.length]),
  });
}

interface Case {
  variant: CsrVariant | 'auto';
  batch: number;
  bias: boolean;
  activation?: Activation;
  clampMax?: number;
}

/** Run one product on the GPU (output poisoned first) and hold it against spmmRef. */
async function check(
  csr: CsrMatrix,
  c: Case,
  kernel = kernels.get(c.activation ?? 'none')!,
): Promise<string> {
  const { device } = ctx;
  return withErrorScopes(device, async () => {
    const x = rng.normalArray(c.batch * csr.cols);
    const bias = c.bias ? rng.normalArray(csr.rows) : null;
    const w = kernel.upload(device, csr, 'SpmmTest.W');
    const xBuf = uploadStorage(device, 'SpmmTest.x', x);
    const biasBuf = bias ? uploadStorage(device, 'SpmmTest.bias', bias) : undefined;
    const yBytes = 4 * c.batch * csr.rows;
    const y = storageBuffer(device, 'SpmmTest.y', yBytes);
    poisonBuffer(device, y, yBytes);
    const dispatch = kernel.bind({ x: xBuf, csr: w, bias: biasBuf, y }, { batch: c.batch }, c.variant);
    runDispatches(device, [dispatch], 'SpmmTest.run');
    const got = await readFloat32(device, y, yBytes);
    const want = spmmRef(x, csr, bias, c.batch, c.activation ?? 'none', c.clampMax ?? 32);
    const where = `${dispatch.label} ${csr.rows}×${csr.cols} nnz ${csr.nnz} B=${c.batch} bias=${c.bias}`;
    try {
      expectClose(got, want, 1e-4, 1e-4);
    } catch (err) {
      throw new Error(`${where}: ${(err as Error).message}`);
    }
    w.dispose();
    for (const b of [xBuf, biasBuf, y]) b?.destroy();
    disposeDispatches([dispatch]);
    return dispatch.label;
  });
}

beforeAll(async () => {
  ctx = await gpuContext();
  const [none, gelu, relu] = await Promise.all([
    CsrSpmm.create(ctx),
    CsrSpmm.create(ctx, { activation: 'gelu' }),
    CsrSpmm.create(ctx, { activation: 'relu-clamp', clampMax: 0.5 }),
  ]);
  kernels.set('none', none);
  kernels.set('gelu', gelu);
  kernels.set('relu-clamp', relu);
});

describe('CsrSpmm on Dawn', () => {
  it('compiles the subgroup kernel exactly when the device has subgroups', () => {
    const variants = kernels.get('none')!.variants;
    expect(variants).toContain('workgroup');
    expect(variants).toContain('batched');
    expect(variants.includes('subgroup')).toBe(ctx.features.subgroups);
    console.log(`CsrSpmm variants on ${ctx.adapterLabel}: ${variants.join(', ')}`);
  });

  it('matches spmmRef for every variant × batch × density × odd shape', async () => {
    const shapes: [number, number][] = [
      [67, 45],
      [130, 257],
    ];
    const densities = [0, 1 / 1000, 1 / 64, 1 / 4, 1];
    let n = 0;
    for (const [rows, cols] of shapes) {
      for (const density of densities) {
        const csr = randomCsr(rows, cols, density);
        for (const variant of kernels.get('none')!.variants) {
          for (const batch of [1, 3, 64]) {
            await check(csr, { variant, batch, bias: n++ % 2 === 0 });
          }
        }
      }
    }
  });

  it('handles empty rows, a single nonzero, very uneven rows and a 1×1 matrix', async () => {
    const uneven = Array.from({ length: 70 }, (_, r) => (r % 3 === 0 ? [] : [(r * 7) % 300]));
    uneven[5] = Array.from({ length: 300 }, (_, c) => c);
    const matrices = [
      csrFromRows(40, [[], [], [17], [], []]),
      csrFromRows(300, uneven),
      csrFromRows(1, [[0]]),
      csrFromRows(1, [[]]),
      csrFromRows(
        9,
        Array.from({ length: 33 }, () => []),
      ),
    ];
    for (const csr of matrices) {
      for (const variant of kernels.get('none')!.variants) {
        for (const batch of [1, 3, 64]) await check(csr, { variant, batch, bias: batch !== 3 });
      }
    }
  });

  it('applies GELU and the clamped ReLU after the bias', async () => {
    const csr = randomCsr(67, 45, 1 / 4);
    for (const variant of kernels.get('none')!.variants) {
      for (const batch of [1, 3]) {
        await check(csr, { variant, batch, bias: true, activation: 'gelu' });
        await check(csr, { variant, batch, bias: batch === 1, activation: 'relu-clamp', clampMax: 0.5 });
      }
    }
  });

  it("runs what 'auto' chooses, and folds a long grid into two dimensions", async () => {
    const none = kernels.get('none')!;
    const csr = randomCsr(130, 45, 1 / 16);
    for (const batch of [1, 64]) {
      expect(await check(csr, { variant: 'auto', batch, bias: true })).toBe(
        `CsrSpmm.${none.chooseVariant(batch)}`,
      );
    }
    const folding = await CsrSpmm.create(ctx, { maxWorkgroupsPerDimension: 4 });
    for (const variant of folding.variants) {
      await check(csr, { variant, batch: 33, bias: true }, folding);
    }
    folding.dispose();
  });

  it('rejects buffers too small for the shape, with a message', async () => {
    const { device } = ctx;
    const none = kernels.get('none')!;
    const w = none.upload(device, randomCsr(10, 20, 0.5), 'SpmmTest.small');
    const x = storageBuffer(device, 'SpmmTest.xSmall', 4 * 20);
    const y = storageBuffer(device, 'SpmmTest.ySmall', 4 * 10);
    expect(() => none.bind({ x, csr: w, y }, { batch: 2 })).toThrow(
      /x 'SpmmTest.xSmall' has 80 bytes, needs 160/,
    );
    w.dispose();
    for (const b of [x, y]) b.destroy();
  });

  it('measures a finite, positive copy bandwidth', async () => {
    const result = await withErrorScopes(ctx.device, () => measureCopyBandwidth(ctx, 1 << 20, 3));
    expect(Number.isFinite(result.gbps) && result.gbps > 0).toBe(true);
    expect(result.medianMs).toBeGreaterThan(0);
    expect(result.bytes).toBe(1 << 20);
    expect(result.timer).toBe(ctx.features.timestampQuery ? 'gpu-timestamp' : 'wall');
    console.log(`copy bandwidth on ${ctx.adapterLabel}: ${result.gbps.toFixed(2)} GB/s (${result.timer})`);
  });
});
