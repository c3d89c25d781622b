// LayerNorm, embedding, residual add, KV write and attention kernels against their CPU references.
import { describe, it } from 'vitest';
import { poisonBuffer, readFloat32, storageBuffer, uniformU32, uploadStorage } from '../../src/gpu/buffers';
import { AttentionKernel } from '../../src/gpu/kernels/attention';
import { runDispatches } from '../../src/gpu/kernels/dispatch';
import { ElementwiseKernels } from '../../src/gpu/kernels/elementwise';
import { LayerNormKernel } from '../../src/gpu/kernels/layerNorm';
import { causalAttention } from '../../src/math/attention';
import { addInPlace, embed, layerNorm } from '../../src/math/norm';
import { Rng } from '../../src/math/rng';
import { expectClose, gpuContext, withErrorScopes } from './harness';

const seed = Date.now() % 100000; // fresh inputs each run; the seed is in the test name for reproduction

describe(`transformer kernels (seed ${seed})`, () => {
  it('layer norm matches the reference for odd widths and row counts', async () => {
    const ctx = await gpuContext();
    const { device } = ctx;
    const kernel = await LayerNormKernel.create(ctx);
    const rng = new Rng(seed);
    for (const [rows, d] of [
      [1, 1],
      [3, 12],
      [5, 67],
      [2, 768],
    ]) {
      await withErrorScopes(device, async () => {
        const x = rng.normalArray(rows * d, 3);
        for (let i = 0; i < x.length; i++) x[i] += 5; // an offset mean tests the two-pass variance
        const g = rng.uniformArray(d, 0.5, 1.5);
        const b = rng.uniformArray(d);
        const y = storageBuffer(device, 'Test.y', 4 * rows * d);
        poisonBuffer(device, y, 4 * rows * d);
        const bufs = { x: uploadStorage(device, 'Test.x', x), g: uploadStorage(device, 'Test.g', g) };
        const bBuf = uploadStorage(device, 'Test.b', b);
        runDispatches(device, [kernel.bind({ ...bufs, b: bBuf, y }, { rows, d, eps: 1e-5 })]);
        expectClose(
          await readFloat32(device, y, 4 * rows * d),
          layerNorm(x, g, b, rows, d, 1e-5),
          1e-4,
          1e-4,
        );
      });
    }
  });

  it('embedding, residual add and KV write match the reference, at a nonzero start position', async () => {
    const ctx = await gpuContext();
    const { device } = ctx;
    const k = await ElementwiseKernels.create(ctx);
    const rng = new Rng(seed + 1);
    const [vocab, nCtx, d, t, pos0] = [23, 16, 13, 5, 7];
    await withErrorScopes(device, async () => {
      const wte = rng.uniformArray(vocab * d);
      const wpe = rng.uniformArray(nCtx * d);
      const tokens = Array.from({ length: t }, () => rng.int(vocab));
      const step = uniformU32(device, 'Test.step', [pos0]);
      const out = storageBuffer(device, 'Test.out', 4 * t * d);
      poisonBuffer(device, out, 4 * t * d);
      const dispatch = k.embed(
        {
          tokens: uploadStorage(device, 'Test.tokens', new Uint32Array(tokens)),
          wte: uploadStorage(device, 'Test.wte', wte),
          wpe: uploadStorage(device, 'Test.wpe', wpe),
          out,
          step,
        },
        { t, d },
      );
      runDispatches(device, [dispatch]);
      const embedded = embed(tokens, wte, wpe, d, pos0);
      expectClose(await readFloat32(device, out, 4 * t * d), embedded, 0, 0);

      const y = rng.uniformArray(t * d);
      runDispatches(device, [k.residualAdd({ x: out, y: uploadStorage(device, 'Test.y', y) }, t * d)]);
      expectClose(await readFloat32(device, out, 4 * t * d), addInPlace(embedded.slice(), y), 1e-6, 1e-6);

      const qkv = rng.uniformArray(t * 3 * d);
      const kcache = storageBuffer(device, 'Test.k', 4 * nCtx * d);
      const vcache = storageBuffer(device, 'Test.v', 4 * nCtx * d);
      poisonBuffer(device, kcache, 4 * nCtx * d);
      poisonBuffer(device, vcache, 4 * nCtx * d);
      const qkvBuf = uploadStorage(device, 'Test.qkv', qkv);
      runDispatches(device, [k.kvWrite({ qkv: qkvBuf, kcache, vcache, step }, { t, d })]);
      const kBack = await readFloat32(device, kcache, 4 * nCtx * d);
      const vBack = await readFloat32(device, vcache, 4 * nCtx * d);
      for (let i = 0; i < t; i++) {
        expectClose(
          kBack.subarray((pos0 + i) * d, (pos0 + i + 1) * d),
          qkv.subarray(i * 3 * d + d, i * 3 * d + 2 * d),
          0,
          0,
        );
        expectClose(
          vBack.subarray((pos0 + i) * d, (pos0 + i + 1) * d),
          qkv.subarray(i * 3 * d + 2 * d, (i + 1) * 3 * d),
          0,
          0,
        );
      }
    });
  });

  it('causal attention over a KV cache matches the reference (prefill and decode positions)', async () => {
    const ctx = await gpuContext();
    const { device } = ctx;
    const nCtx = 70; // more keys than the 64 threads of a workgroup
    const attention = await AttentionKernel.create(ctx, nCtx);
    const elementwise = await ElementwiseKernels.create(ctx);
    const rng = new Rng(seed + 2);
    for (const [d, nHead, t, pos0] of [
      [12, 2, 5, 0],
      [12, 3, 1, 9],
      [64, 4, 3, 66],
      [20, 1, 70, 0],
    ]) {
      await withErrorScopes(device, async () => {
        const cacheK = rng.uniformArray(nCtx * d);
        const cacheV = rng.uniformArray(nCtx * d);
        const qkv = rng.uniformArray(t * 3 * d, -2, 2);
        const step = uniformU32(device, 'Test.step', [pos0]);
        const kBuf = uploadStorage(device, 'Test.k', cacheK);
        const vBuf = uploadStorage(device, 'Test.v', cacheV);
        const qkvBuf = uploadStorage(device, 'Test.qkv', qkv);
        const out = storageBuffer(device, 'Test.out', 4 * t * d);
        poisonBuffer(device, out, 4 * t * d);
        runDispatches(device, [
          elementwise.kvWrite({ qkv: qkvBuf, kcache: kBuf, vcache: vBuf, step }, { t, d }),
          attention.bind({ qkv: qkvBuf, kcache: kBuf, vcache: vBuf, out, step }, { t, d, nHead }),
        ]);
        const expected = causalAttention(qkv, t, pos0, nHead, d, cacheK, cacheV);
        expectClose(await readFloat32(device, out, 4 * t * d), expected, 1e-5, 1e-4);
      });
    }
  });
});
