// Every dense kernel against matmulRef: shapes that are not tile multiples, batches 1 / 3 / 64, with and
// without bias, each epilogue; outputs NaN-poisoned first so an unwritten element fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivationName as Activation } from '../../src/contracts';
import { poisonBuffer, readFloat32, storageBuffer, uploadStorage } from '../../src/gpu/buffers';
import type { GpuContext } from '../../src/gpu/context';
import { disposeDispatches, runDispatches } from '../../src/gpu/kernels/dispatch';
import {
  DENSE_VARIANTS,
  DenseMatmul,
  type DenseShape,
  type DenseVariant,
  denseTuningFor,
} from '../../src/gpu/kernels/matmul';
import { matmulRef } from '../../src/math/matmul';
import { Rng } from '../../src/math/rng';
import { expectClose, gpuContext, withErrorScopes } from './harness';

// Odd sizes straddle the 64×64 tiles, the 16-deep K slices, GEMV's 8-column groups and 32 lanes.
const SHAPES: { n: number; k: number }[] = [
  { n: 67, k: 45 },
  { n: 130, k: 257 },
  { n: 1, k: 1 },
  { n: 9, k: 1 },
  { n: 67, k: 44 },
  { n: 130, k: 256 },
  { n: 1, k: 4 },
  { n: 64, k: 48 }, // exact tile multiple in N and (at batch 64) in B
];
const BATCHES = [1, 3, 64];
const ACTIVATIONS: Activation[] = ['none', 'gelu', 'relu-clamp'];
const CLAMP_MAX = 0.75; // small, so the clamp's upper side is exercised too

const rng = new Rng(0x5eed);
let ctx: GpuContext;
const kernels = new Map<Activation, DenseMatmul>();

beforeAll(async () => {
  ctx = await gpuContext();
  for (const a of ACTIVATIONS)
    kernels.set(a, await DenseMatmul.create(ctx, { activation: a, clampMax: CLAMP_MAX }));
});

afterAll(() => {
  for (const k of kernels.values()) k.dispose();
});

/** Run one case on the GPU and compare with the oracle; returns the output for extra checks. */
async function check(
  variant: DenseVariant | 'auto',
  shape: DenseShape,
  withBias: boolean,
  activation: Activation,
  kernel = kernels.get(activation)!,
): Promise<Float32Array> {
  const { device } = ctx;
  const { batch, n, k } = shape;
  const x = rng.uniformArray(batch * k);
  const w = rng.uniformArray(n * k);
  const bias = withBias ? rng.uniformArray(n) : null;
  const expected = matmulRef(x, w, bias, batch, n, k, activation, CLAMP_MAX);
  return withErrorScopes(device, async () => {
    const xBuf = uploadStorage(device, 'Test.x', x);
    const wBuf = uploadStorage(device, 'Test.w', w);
    const biasBuf = bias ? uploadStorage(device, 'Test.bias', bias) : undefined;
    const yBuf = storageBuffer(device, 'Test.y', batch * n * 4);
    poisonBuffer(device, yBuf, batch * n * 4);
    const dispatch = kernel.bind({ x: xBuf, w: wBuf, bias: biasBuf, y: yBuf }, shape, variant);
    runDispatches(device, [dispatch], 'Test.matmul');
    const actual = await readFloat32(device, yBuf, batch * n * 4);
    for (const b of [xBuf, wBuf, biasBuf, yBuf]) b?.destroy();
    disposeDispatches([dispatch]);
    const where = `${variant} B${batch} N${n} K${k} bias ${withBias} ${activation}`;
    try {
      expectClose(actual, expected, 1e-4 * Math.sqrt(k), 1e-4);
    } catch (err) {
      throw new Error(`${where}: ${(err as Error).message}`);
    }
    return actual;
  });
}

describe('DenseMatmul on Dawn', () => {
  for (const variant of DENSE_VARIANTS) {
    it(`${variant} matches matmulRef on every shape, batch, bias and epilogue`, async () => {
      let cases = 0;
      let i = 0;
      for (const { n, k } of SHAPES) {
        if (variant.endsWith('vec4') && k % 4 !== 0) continue;
        for (const batch of BATCHES) {
          // Cycle bias and activation through the cases so each combination is seen with each variant.
          const activation = ACTIVATIONS[i % ACTIVATIONS.length];
          const withBias = Math.floor(i / ACTIVATIONS.length) % 2 === 0;
          i++;
          await check(variant, { batch, n, k }, withBias, activation);
          cases++;
        }
      }
      expect(cases).toBeGreaterThanOrEqual(12);
    });
  }

  it("the other adapter class's tuning (real-GPU 64×64 tiles on SwiftShader) is correct too", async () => {
    // Each adapter runs its own tuning above; this runs the one it does not, so both tile shapes (one
    // staging load per invocation, or several) are checked wherever the suite runs.
    const other = denseTuningFor(!ctx.info.isFallbackAdapter);
    // (tiled-scalar differs from tiled-vec4 only in its loads, which do not depend on the tuning; it is
    // left out because a 64×64-tile pipeline costs seconds of CPU to compile on SwiftShader.)
    const variants: DenseVariant[] = ['tiled-vec4', 'gemv-vec4', 'gemv-scalar'];
    const kernel = await DenseMatmul.create(ctx, { activation: 'gelu', tuning: other, variants });
    let i = 0;
    for (const variant of variants) {
      for (const { n, k } of [SHAPES[1], SHAPES[5], SHAPES[3], SHAPES[7]]) {
        if (variant.endsWith('vec4') && k % 4 !== 0) continue;
        for (const batch of variant === 'tiled-vec4' ? [3, 64, 70] : [1, 3]) {
          await check(variant, { batch, n, k }, i++ % 2 === 0, 'gelu', kernel);
        }
      }
    }
    kernel.dispose();
  });

  it('tiled kernel with asymmetric and 4×4 register blocks (RM ≠ RN, RM = RN = 1) is correct', async () => {
    const tunings = [
      { TX: 8, TY: 2, RM: 1, RN: 2, BK: 4 },
      { TX: 2, TY: 4, RM: 2, RN: 1, BK: 12 },
      { TX: 4, TY: 4, RM: 1, RN: 1, BK: 8 },
    ];
    let i = 0;
    for (const tiled of tunings) {
      const variants: DenseVariant[] = ['tiled-vec4', 'tiled-scalar'];
      const kernel = await DenseMatmul.create(ctx, {
        activation: 'relu-clamp',
        clampMax: CLAMP_MAX,
        tuning: { tiled },
        variants,
      });
      for (const variant of variants) {
        for (const { n, k } of [SHAPES[1], SHAPES[5], SHAPES[0]]) {
          if (variant.endsWith('vec4') && k % 4 !== 0) continue;
          for (const batch of [3, 64]) {
            await check(variant, { batch, n, k }, i++ % 2 === 0, 'relu-clamp', kernel);
          }
        }
      }
      kernel.dispose();
    }
  });

  it('covers every activation with and without bias on the tiled and GEMV kernels', async () => {
    for (const activation of ACTIVATIONS) {
      for (const withBias of [false, true]) {
        await check('tiled-scalar', { batch: 5, n: 70, k: 33 }, withBias, activation);
        await check('gemv-vec4', { batch: 1, n: 70, k: 36 }, withBias, activation);
      }
    }
  });

  it("'auto' runs GEMV at batch 1 and the tiled kernel at batch 64, both correct", async () => {
    const kernel = kernels.get('none')!;
    const dummy = storageBuffer(ctx.device, 'Test.dummy', 64 * 256 * 4);
    expect(kernel.bind({ x: dummy, w: dummy, y: dummy }, { batch: 1, n: 40, k: 40 }).label).toBe(
      'DenseMatmul.gemv-vec4',
    );
    expect(kernel.bind({ x: dummy, w: dummy, y: dummy }, { batch: 64, n: 40, k: 41 }).label).toBe(
      'DenseMatmul.tiled-scalar',
    );
    dummy.destroy();
    await check('auto', { batch: 1, n: 200, k: 96 }, true, 'none');
    await check('auto', { batch: 64, n: 200, k: 96 }, true, 'none');
  });

  it('relu-clamp output reaches both ends of [0, clampMax]', async () => {
    const shape = { batch: 3, n: 50, k: 20 };
    const clamped = await check('tiled-vec4', shape, true, 'relu-clamp');
    expect(Math.min(...clamped)).toBe(0);
    expect(Math.max(...clamped)).toBeCloseTo(CLAMP_MAX, 6);
  });

  it('rejects buffers too small for the shape and vec4 kernels for K % 4 != 0', () => {
    const kernel = kernels.get('none')!;
    const small = storageBuffer(ctx.device, 'Test.small', 16);
    const big = storageBuffer(ctx.device, 'Test.big', 4096);
    expect(() => kernel.bind({ x: small, w: big, y: big }, { batch: 2, n: 4, k: 4 })).toThrow(/x/);
    expect(() => kernel.bind({ x: big, w: big, y: big }, { batch: 2, n: 4, k: 5 }, 'tiled-vec4')).toThrow(
      /K % 4/,
    );
    small.destroy();
    big.destroy();
  });
});
