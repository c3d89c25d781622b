// circuit_sparsity kernels against their CPU references on real WebGPU: AbsTopK (ties, k at the edges,
// segments of a wider row), RMSNorm, exact GELU and ReLU, bigram add, attention with a sink.
// Outputs are NaN-poisoned first where the kernel writes a separate buffer; in-place kernels are compared
// on every element, including those outside the segment they may touch.
import { describe, expect, it } from 'vitest';
import { poisonBuffer, readFloat32, storageBuffer, uniformU32, uploadStorage } from '../../src/gpu/buffers';
import { AbsTopKKernel } from '../../src/gpu/kernels/absTopK';
import { AttentionSinkKernel, NO_SINK } from '../../src/gpu/kernels/attentionSink';
import { CspElementwiseKernels } from '../../src/gpu/kernels/cspElementwise';
import { runDispatches } from '../../src/gpu/kernels/dispatch';
import { causalAttention } from '../../src/math/attention';
import { absTopK, applyCspActivation, rmsNorm } from '../../src/math/cspOps';
import { Rng } from '../../src/math/rng';
import { expectClose, gpuContext, withErrorScopes } from './harness';

const seed = Date.now() % 100000; // fresh inputs each run; the seed is in the test name for reproduction

describe(`circuit_sparsity kernels (seed ${seed})`, () => {
  it('AbsTopK keeps exactly the CPU reference entries: ties, k = 0, 1, width−1, width, segments', async () => {
    const ctx = await gpuContext();
    const { device } = ctx;
    const kernel = await AbsTopKKernel.create(ctx);
    const rng = new Rng(seed);
    const cases: [number, number, number, number, number][] = []; // rows, width, k, stride, offset
    for (const width of [1, 7, 67, 300, 1030]) {
      for (const k of new Set([0, 1, Math.floor(width / 4), width - 1, width, width + 3]))
        cases.push([3, width, k, width, 0]);
    }
    cases.push([5, 24, 6, 72, 24], [2, 40, 10, 120, 80], [4, 13, 3, 39, 0]);
    for (const [rows, width, k, stride, offset] of cases) {
      for (const ties of [false, true]) {
        await withErrorScopes(device, async () => {
          const x = rng.normalArray(rows * stride, 2);
          // Few distinct magnitudes (and both signs, and ±0) make ties at the threshold common.
          if (ties) for (let i = 0; i < x.length; i++) x[i] = Math.round(x[i]) * (i % 3 === 0 ? -1 : 1);
          const buf = uploadStorage(device, 'Test.x', x);
          runDispatches(device, [kernel.bind(buf, { rows, width, k, stride, offset })]);
          const got = await readFloat32(device, buf, 4 * x.length);
          const want = absTopK(x.slice(), rows, width, k, stride, offset);
          expect(
            Array.from(got).map((v) => v + 0), // −0 and +0 count as equal
            `rows ${rows} width ${width} k ${k} stride ${stride} offset ${offset} ties ${ties}`,
          ).toEqual(Array.from(want).map((v) => v + 0));
        });
      }
    }
  });

  it('RMSNorm, exact GELU, ReLU and bigram add match the reference', async () => {
    const ctx = await gpuContext();
    const { device } = ctx;
    const k = await CspElementwiseKernels.create(ctx);
    const rng = new Rng(seed + 1);
    for (const [rows, d] of [
      [1, 1],
      [3, 13],
      [5, 67],
      [2, 768],
    ]) {
      await withErrorScopes(device, async () => {
        const x = rng.normalArray(rows * d, 3);
        const g = rng.uniformArray(d, 0.5, 1.5);
        const y = storageBuffer(device, 'Test.y', 4 * rows * d);
        poisonBuffer(device, y, 4 * rows * d);
        const eps = 1.1920929e-7;
        const bufs = { x: uploadStorage(device, 'Test.x', x), g: uploadStorage(device, 'Test.g', g), y };
        runDispatches(device, [k.rmsNorm(bufs, { rows, d, eps })]);
        expectClose(await readFloat32(device, y, 4 * rows * d), rmsNorm(x, g, rows, d, eps), 1e-5, 1e-5);
      });
    }
    for (const kind of ['gelu-erf', 'relu'] as const) {
      await withErrorScopes(device, async () => {
        const n = 1003;
        const x = rng.normalArray(n, 4);
        x[0] = 0;
        x[1] = -0;
        x[2] = 12;
        x[3] = -12;
        const buf = uploadStorage(device, 'Test.x', x);
        // Only the first n − 5 values: the tail must stay untouched.
        runDispatches(device, [k.activation(buf, kind, n - 5)]);
        expectClose(
          await readFloat32(device, buf, 4 * n),
          applyCspActivation(x.slice(), kind, n - 5),
          2e-7,
          2e-6,
        );
      });
    }
    await withErrorScopes(device, async () => {
      const [vocab, rows, first] = [67, 3, 2];
      const bigram = rng.normalArray(vocab * vocab);
      const tokens = [5, 66, 0, 17, 3];
      const logits = rng.normalArray(rows * vocab);
      const buf = uploadStorage(device, 'Test.logits', logits);
      const b = {
        bigram: uploadStorage(device, 'Test.bigram', bigram),
        tokens: uploadStorage(device, 'Test.tokens', new Uint32Array(tokens)),
        logits: buf,
      };
      runDispatches(device, [k.bigramAdd(b, { rows, vocab, firstToken: first })]);
      const want = logits.slice();
      for (let r = 0; r < rows; r++)
        for (let c = 0; c < vocab; c++) want[r * vocab + c] += bigram[tokens[first + r] * vocab + c];
      expectClose(await readFloat32(device, buf, 4 * rows * vocab), want, 1e-6, 1e-6);
    });
  });

  it('attention with a sink (and with the sink off) matches the reference at a nonzero start', async () => {
    const ctx = await gpuContext();
    const { device } = ctx;
    const nCtx = 40;
    const kernel = await AttentionSinkKernel.create(ctx, nCtx);
    const rng = new Rng(seed + 2);
    for (const withSink of [true, false]) {
      const [t, pos0, nHead, width] = [5, 9, 3, 3 * 5]; // head width 5: not a multiple of 4
      await withErrorScopes(device, async () => {
        const qkv = rng.normalArray(t * 3 * width, 1.5);
        const kc = rng.normalArray(nCtx * width);
        const vc = rng.normalArray(nCtx * width);
        const sink = withSink ? rng.normalArray(nHead, 2) : new Float32Array(nHead).fill(NO_SINK);
        const kcRef = kc.slice();
        const vcRef = vc.slice();
        const want = causalAttention(
          qkv,
          t,
          pos0,
          nHead,
          width,
          kcRef,
          vcRef,
          undefined,
          withSink ? sink : undefined,
        );
        const out = storageBuffer(device, 'Test.out', 4 * t * width);
        poisonBuffer(device, out, 4 * t * width);
        const b = {
          qkv: uploadStorage(device, 'Test.qkv', qkv),
          kcache: uploadStorage(device, 'Test.k', kcRef), // the reference wrote this call's keys and values
          vcache: uploadStorage(device, 'Test.v', vcRef),
          sink: uploadStorage(device, 'Test.sink', sink),
          out,
          step: uniformU32(device, 'Test.step', [pos0]),
        };
        runDispatches(device, [kernel.bind(b, { t, width, nHead })]);
        expectClose(await readFloat32(device, out, 4 * t * width), want, 2e-5, 2e-5);
      });
    }
  });
});
