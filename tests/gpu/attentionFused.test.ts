// The fused attention kernels (attention_fused_flash.wgsl; attention_fused_split.wgsl + attention_fused_combine.wgsl)
// against causalAttention (src/math/attention.ts) on a real WebGPU device: the KV write then attention,
// as the forward plan runs them; odd T across the 32-query and 32-key tiles and the 64-key decode chunks;
// every head layout of the presets (12 × 64, 4 × 16, 2 × 6); both variants forced at the same shapes;
// outputs NaN-poisoned first.
import { describe, expect, it } from 'vitest';
import { WebGpuBackend } from '../../src/engine/webgpu/webgpuBackend';
import { poisonBuffer, readFloat32, storageBuffer, uniformU32, uploadStorage } from '../../src/gpu/buffers';
import {
  type AttentionVariant,
  attentionGrids,
  chooseAttentionVariant,
  FlashAttentionKernel,
  flashKeyTile,
} from '../../src/gpu/kernels/attentionFused';
import { disposeDispatches, runDispatches } from '../../src/gpu/kernels/dispatch';
import { ElementwiseKernels } from '../../src/gpu/kernels/elementwise';
import { causalAttention, createKvCache } from '../../src/math/attention';
import { Rng } from '../../src/math/rng';
import { forwardCpu } from '../../src/math/transformer';
import { presetConfig } from '../../src/model/config';
import { initGpt2 } from '../../src/model/init';
import { sparsifyModel } from '../../src/model/sparsify';
import { expectClose, gpuContext, withErrorScopes } from './harness';

const seed = Date.now() % 100000; // fresh inputs each run; the seed is in the test name for reproduction

async function check(
  kernel: FlashAttentionKernel,
  rng: Rng,
  c: { d: number; nHead: number; t: number; pos0: number; variant: AttentionVariant },
  spread = 1,
  atol = 2e-5,
): Promise<void> {
  // A kernel built for sinks gets per-head sink logits around the scores' size (circuit_sparsity).
  const sinks = kernel.sinks ? rng.uniformArray(c.nHead, -2 * spread, 2 * spread) : undefined;
  const ctx = await gpuContext();
  const { device } = ctx;
  const elementwise = await ElementwiseKernels.create(ctx);
  const { d, nHead, t, pos0 } = c;
  const nCtx = kernel.maxCtx;
  await withErrorScopes(device, async () => {
    // rows past pos0 + t are garbage the kernels must ignore
    const cacheK = rng.uniformArray(nCtx * d, -spread, spread);
    const cacheV = rng.uniformArray(nCtx * d, -spread, spread);
    const qkv = rng.uniformArray(t * 3 * d, -2 * spread, 2 * spread);
    const step = uniformU32(device, 'Test.step', [pos0]);
    const b = {
      qkv: uploadStorage(device, 'Test.qkv', qkv),
      kcache: uploadStorage(device, 'Test.k', cacheK),
      vcache: uploadStorage(device, 'Test.v', cacheV),
      out: storageBuffer(device, 'Test.out', 4 * t * d),
      step,
      ...(sinks ? { sink: uploadStorage(device, 'Test.sink', sinks) } : {}),
    };
    poisonBuffer(device, b.out, 4 * t * d);
    const bound = kernel.bind(b, { t, d, nHead }, 'Test.attn', c.variant);
    expect(bound.variant).toBe(c.variant);
    runDispatches(device, [
      elementwise.kvWrite({ qkv: b.qkv, kcache: b.kcache, vcache: b.vcache, step }, { t, d }),
      ...bound.dispatches,
    ]);
    const expected = causalAttention(qkv, t, pos0, nHead, d, cacheK, cacheV, undefined, sinks);
    try {
      expectClose(await readFloat32(device, b.out, 4 * t * d), expected, atol, 1e-4);
    } catch (err) {
      const what = `${c.variant}${sinks ? ' with sinks' : ''}`;
      throw new Error(`${what} d ${d} × ${nHead} heads, T ${t} at ${pos0}: ${(err as Error).message}`);
    }
    disposeDispatches(bound.dispatches);
    for (const buf of Object.values(b)) buf.destroy();
  });
}

describe(`fused attention kernels (seed ${seed})`, () => {
  it('choose the variant and grids from the shape alone', () => {
    expect(chooseAttentionVariant({ t: 1, headDim: 64 })).toBe('split');
    expect(chooseAttentionVariant({ t: 31, headDim: 64 })).toBe('split');
    expect(chooseAttentionVariant({ t: 32, headDim: 64 })).toBe('flash');
    expect(chooseAttentionVariant({ t: 256, headDim: 96 })).toBe('naive');
    expect(chooseAttentionVariant({ t: 1, headDim: 64, fallbackAdapter: true })).toBe('naive');
    expect(chooseAttentionVariant({ t: 7, headDim: 64, fallbackAdapter: true })).toBe('naive');
    expect(chooseAttentionVariant({ t: 8, headDim: 64, fallbackAdapter: true })).toBe('flash');
    expect(attentionGrids({ t: 33, nHead: 12, maxCtx: 1024 })).toEqual({
      flash: [2, 12, 1],
      split: [16, 12, 33],
      combine: [33, 12, 1],
      nSplit: 16,
    });
    expect(flashKeyTile(64, 16384)).toBe(32); // K and V tiles: 2 · 32 · 64 · 4 = 16 KiB
    expect(flashKeyTile(64, 8192)).toBe(16);
  });

  it('prefill (flash) and decode (split) match the reference for every preset head layout', async () => {
    const ctx = await gpuContext();
    const rng = new Rng(seed);
    const layouts = [
      { d: 768, nHead: 12, nCtx: 40 }, // gpt2-small (hd 64): two key tiles
      { d: 64, nHead: 4, nCtx: 131 }, // tiny and the trained pair (hd 16): three decode chunks
      { d: 12, nHead: 2, nCtx: 71 }, // 'test' (hd 6)
    ];
    for (const { d, nHead, nCtx } of layouts) {
      const kernel = await FlashAttentionKernel.create(ctx, d / nHead, nCtx);
      const cases: { t: number; pos0: number; variant: AttentionVariant }[] = [
        { t: 33, pos0: 0, variant: 'flash' }, // a full and a 1-query tile
        { t: 37, pos0: 3, variant: 'flash' }, // after a cached prefix, keys across tiles
        { t: 1, pos0: 0, variant: 'split' },
        { t: 1, pos0: nCtx - 1, variant: 'split' }, // the last position: every chunk
        { t: 3, pos0: Math.min(64, nCtx - 3), variant: 'split' }, // queries straddling a chunk edge
        { t: 5, pos0: 2, variant: 'flash' }, // both variants at the same shape
        { t: 5, pos0: 2, variant: 'split' },
      ];
      // gpt2-small's width is slow on SwiftShader: its head layout gets one case per kernel path.
      const picked = d === 768 ? [cases[1], cases[3]] : cases;
      for (const c of picked) if (c.pos0 + c.t <= nCtx) await check(kernel, rng, { d, nHead, ...c });
    }
  });

  it('with per-head sinks (circuit_sparsity), every variant matches the reference', async () => {
    const ctx = await gpuContext();
    const rng = new Rng(seed + 4);
    // Head width 8 and 5 heads (not a power of two); 70 positions: three decode chunks, three key tiles.
    const kernel = await FlashAttentionKernel.create(ctx, 8, 70, { sink: true });
    for (const c of [
      { t: 37, pos0: 3, variant: 'flash' as const },
      { t: 2, pos0: 66, variant: 'split' as const },
      { t: 3, pos0: 5, variant: 'naive' as const },
    ]) {
      await check(kernel, rng, { d: 40, nHead: 5, ...c });
    }
    // Binding without sinks a kernel built for them (or the reverse) is refused, not silently wrong.
    const plain = await FlashAttentionKernel.create(ctx, 8, 70);
    const { device } = ctx;
    const buf = storageBuffer(device, 'Test.buf', 4 * 3 * 40);
    const step = uniformU32(device, 'Test.step', [0]);
    const b = { qkv: buf, kcache: buf, vcache: buf, out: buf, step };
    expect(() => kernel.bind(b, { t: 1, d: 40, nHead: 5 })).toThrow(/with sinks/);
    expect(() => plain.bind({ ...b, sink: buf }, { t: 1, d: 40, nHead: 5 })).toThrow(/without sinks/);
    buf.destroy();
    step.destroy();
  });

  it('keeps a softmax dominated by a few keys exact across tiles and chunks (scores far apart)', async () => {
    const ctx = await gpuContext();
    const kernel = await FlashAttentionKernel.create(ctx, 16, 150);
    // Scaled inputs make |scores| reach hundreds: exp overflows unless each tile and chunk subtracts its max.
    // Values reach ±12 and f32 scores of that size (hundreds) carry ~1e-4 absolute error, which exp turns
    // into ~1e-4 relative error of the weights: atol 1e-3 (8e-5 of max |v|); an overflow would give NaN.
    const rng = new Rng(seed + 1);
    for (const variant of ['flash', 'split'] as const) {
      await check(kernel, rng, { d: 64, nHead: 4, t: 41, pos0: 100, variant }, 12, 1e-3);
    }
  });
});

describe('fused attention in the forward plan', () => {
  it("a 40-token prefill (the flash kernel) then decoding matches the CPU forward ('tiny', 4 × 16)", async () => {
    const ctx = await gpuContext();
    const weights = initGpt2(presetConfig('tiny'), { seed: 11, std: 0.3 });
    const backend = new WebGpuBackend(ctx);
    await backend.prepare({ dense: weights, sparse: sparsifyModel(weights, { density: 0.5 }) });
    const rng = new Rng(seed + 3);
    const tokens = Array.from({ length: 42 }, () => rng.int(weights.config.vocabSize));
    const cache = createKvCache(weights.config);
    const cpu = forwardCpu(weights, tokens.slice(0, 40), { cache, collectActivations: false });
    const gpu = await withErrorScopes(ctx.device, () =>
      backend.forward(tokens.slice(0, 40), { path: 'dense', activations: false }),
    );
    expectClose(gpu.logits, cpu.logits, 1e-4, 1e-3);
    for (const t of tokens.slice(40)) {
      const step = await backend.forward([t], { path: 'dense', activations: false, append: true });
      const ref = forwardCpu(weights, [t], { cache, collectActivations: false });
      expectClose(step.logits, ref.logits, 1e-4, 1e-3);
    }
  });
});
