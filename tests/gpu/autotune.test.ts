// The autotuner on real WebGPU (SwiftShader here): tuning small shapes picks the measured-fastest candidate
// that passed its check, and the kernels it picked then run (LinearKernels, as the engine binds them) and
// match the CPU reference with their outputs NaN-poisoned first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebGpuBackend } from '../../src/engine/webgpu/webgpuBackend';
import { describeChoice } from '../../src/gpu/autotune/candidates';
import { LinearKernels } from '../../src/gpu/autotune/linearKernels';
import { prepareTuning } from '../../src/gpu/autotune/prepare';
import { keepDefaultUnlessClear, pickFastest } from '../../src/gpu/autotune/tuneLoop';
import { poisonBuffer, readFloat32, storageBuffer, uploadStorage } from '../../src/gpu/buffers';
import type { GpuContext } from '../../src/gpu/context';
import { disposeDispatches, runDispatches } from '../../src/gpu/kernels/dispatch';
import { CsrSpmm } from '../../src/gpu/kernels/spmmCsr';
import { forwardCsp } from '../../src/math/cspForward';
import { CsrMatrix } from '../../src/math/csr';
import { matmulRef } from '../../src/math/matmul';
import { Rng } from '../../src/math/rng';
import { spmmRef } from '../../src/math/spmm';
import { forwardCpu } from '../../src/math/transformer';
import { circuitSparsityPair } from '../../src/model/circuitSparsity';
import { presetConfig } from '../../src/model/config';
import { initGpt2 } from '../../src/model/init';
import { sparsifyModel } from '../../src/model/sparsify';
import { randomCspModel } from '../cspFixtures';
import { expectClose, gpuContext, withErrorScopes } from './harness';

let ctx: GpuContext;
const rng = new Rng(0xa070);
const DENSE = { batch: 5, n: 67, k: 44 };
const CSR = { batch: 12, n: 70, k: 45, nnzPerRow: 6 };

beforeAll(async () => {
  ctx = await gpuContext();
});

describe('autotune on this adapter', () => {
  let kernels: LinearKernels | null = null;
  afterAll(() => kernels?.dispose());

  it('picks the measured-fastest valid variant, and the layers then run it and match the CPU reference', async () => {
    const { device } = ctx;
    const tuned = await withErrorScopes(device, () =>
      prepareTuning(ctx, { dense: [DENSE], csr: [CSR] }, { mode: 'retune', budgetMs: 60_000 }),
    );
    const report = tuned.report!;
    expect(report.shapes).toHaveLength(2);
    for (const shape of report.shapes) {
      const entry = report.table[shape.key];
      expect(entry.how, shape.key).toBe('tuned');
      expect(shape.candidates.length).toBeGreaterThanOrEqual(2);
      expect(
        shape.candidates.every((c) => c.valid),
        JSON.stringify(shape.candidates),
      ).toBe(true);
      // The measured-fastest valid candidate, unless it did not win ≥ 80 % of its rounds beside the default.
      const fastest = pickFastest(shape.candidates);
      expect(fastest).not.toBeNull();
      const best = keepDefaultUnlessClear(shape.candidates, fastest)!;
      expect(describeChoice(entry.choice)).toBe(shape.candidates[best].id);
      expect(entry.ms).toBe(shape.candidates[best].ms);
      if (best !== fastest) expect(best).toBe(0);
    }

    // 'tuned' where another kernel beat the default; where tuning kept the default the layer says 'default'.
    const howFor = (shape: (typeof report.shapes)[number]) =>
      describeChoice(report.table[shape.key].choice) === shape.candidates[0].id ? 'default' : 'tuned';

    // The engine's binding path: every layer asks the chooser.
    const csr = randomCsr(CSR.n, CSR.k, CSR.nnzPerRow);
    kernels = await LinearKernels.create(ctx, tuned.chooser, [
      { n: DENSE.n, k: DENSE.k, activation: 'gelu', bias: true },
      { n: CSR.n, k: CSR.k, activation: 'none', bias: true, nnzPerRow: csr.nnz / csr.rows },
    ]);

    const x = rng.uniformArray(DENSE.batch * DENSE.k);
    const w = rng.uniformArray(DENSE.n * DENSE.k);
    const bias = rng.uniformArray(DENSE.n);
    const y = storageBuffer(device, 'Test.y', 4 * DENSE.batch * DENSE.n);
    const xb = uploadStorage(device, 'Test.x', x);
    const wb = uploadStorage(device, 'Test.w', w);
    const bb = uploadStorage(device, 'Test.bias', bias);
    poisonBuffer(device, y, 4 * DENSE.batch * DENSE.n);
    const d = await withErrorScopes(device, async () => {
      const d = kernels!.bindDense('gelu', { x: xb, w: wb, bias: bb, y }, DENSE);
      runDispatches(device, [d]);
      return d;
    });
    expect(d.run.how).toBe(howFor(report.shapes[0]));
    expect(d.run.kernel).toBe(describeChoice(report.table[report.shapes[0].key].choice));
    expectClose(
      await readFloat32(device, y, 4 * DENSE.batch * DENSE.n),
      matmulRef(x, w, bias, DENSE.batch, DENSE.n, DENSE.k, 'gelu'),
    );
    disposeDispatches([d]);

    const xs = rng.uniformArray(CSR.batch * CSR.k);
    const sbias = rng.uniformArray(CSR.n);
    const ys = storageBuffer(device, 'Test.ys', 4 * CSR.batch * CSR.n);
    const xsb = uploadStorage(device, 'Test.xs', xs);
    const sbb = uploadStorage(device, 'Test.sbias', sbias);
    const uploader = await CsrSpmm.create(ctx, { variants: [] });
    const csrBuffers = uploader.upload(device, csr, 'Test.csr');
    uploader.dispose();
    poisonBuffer(device, ys, 4 * CSR.batch * CSR.n);
    const s = await withErrorScopes(device, async () => {
      const s = kernels!.bindCsr('none', { x: xsb, csr: csrBuffers, bias: sbb, y: ys }, { batch: CSR.batch });
      runDispatches(device, [s]);
      return s;
    });
    expect(s.run.how).toBe(howFor(report.shapes[1]));
    expect(s.run.kernel).toBe(describeChoice(report.table[report.shapes[1].key].choice));
    expectClose(await readFloat32(device, ys, 4 * CSR.batch * CSR.n), spmmRef(xs, csr, sbias, CSR.batch));
    disposeDispatches([s]);
    for (const b of [y, xb, wb, bb, ys, xsb, sbb]) b.destroy();
    csrBuffers.dispose();

    // Off: today's defaults, said so.
    const off = await prepareTuning(ctx, { dense: [DENSE], csr: [] }, { mode: 'off' });
    expect(off.chooser.dense(DENSE).how).toBe('default');
    expect(off.report).toBeUndefined();
  });
});

describe('the engine with tuned kernels', () => {
  it('runs the tuned choice for each linear layer, still matches the CPU forward pass, and reuses the cache', async () => {
    const tokens = [3, 17, 0, 22, 5, 9, 11];
    const dense = initGpt2(presetConfig('test'), { seed: 5, std: 0.2 });
    const sparse = sparsifyModel(dense, { density: 0.25 });
    let text: string | null = null;
    const store = {
      where: 'memory',
      read: () => text,
      write: (t: string) => {
        text = t;
      },
    };
    const backend = new WebGpuBackend(ctx);
    backend.tuning = {
      mode: 'auto',
      store,
      batches: [tokens.length],
      budgetMs: 600_000, // tuning stops when every shape is timed; the budget only has to outlast a loaded machine
    };
    try {
      await withErrorScopes(ctx.device, () => backend.prepare({ dense, sparse }));
      const table = backend.tuned!.report!.table;
      for (const path of ['dense', 'sparse'] as const) {
        const gpu = await withErrorScopes(ctx.device, () => backend.forward(tokens, { path }));
        const cpu = forwardCpu(path === 'dense' ? dense : sparse, tokens, { path });
        expectClose(gpu.logits, cpu.logits, 1e-4, 1e-3);
        for (const op of ['qkv', 'attn.proj', 'fc', 'fc.proj', 'unembed']) {
          // Every shape was tuned: the layer runs the table's choice — 'tuned' where it beat the default,
          // 'default' where tuning kept the default.
          const t = gpu.timings.find((x) => x.op === op)!;
          expect(['tuned', 'default'], `${path} ${op}`).toContain(t.chosen);
          const tuned = Object.values(table).filter((e) => describeChoice(e.choice) === t.kernel);
          expect(tuned.length, `${path} ${op} ran ${t.kernel}`).toBeGreaterThan(0);
        }
      }
      // A second load on this adapter: everything from the cache, nothing tuned, the same choices.
      const again = new WebGpuBackend(ctx);
      again.tuning = { mode: 'auto', store, batches: [tokens.length] };
      await again.prepare({ dense, sparse });
      expect(again.tuned!.report).toBeUndefined();
      expect(again.tuned!.cached).toBeGreaterThan(0);
      const first = await backend.forward(tokens, { path: 'sparse' });
      const second = await again.forward(tokens, { path: 'sparse' });
      const kernels = (r: typeof first) =>
        r.timings.filter((t) => t.kernel).map((t) => `${t.op}:${t.kernel}`);
      expect(kernels(second)).toEqual(kernels(first));
      // Tuned before, cached now; a kept default stays a default.
      expect(second.timings.map((t) => t.chosen)).toEqual(
        first.timings.map((t) => (t.chosen === 'tuned' ? 'cached' : t.chosen)),
      );
      again.dispose();
    } finally {
      backend.dispose();
    }
  });
});

describe('a circuit_sparsity model with tuned kernels', () => {
  it('runs the tuned choice for its block linears and unembedding, and matches the CPU on both paths', async () => {
    const weights = randomCspModel({}, 23); // d 18, A 15, MLP 37, vocab 29: K not a multiple of 4
    const pair = circuitSparsityPair(weights);
    const tokens = [3, 28, 0, 7, 7, 19, 2];
    const backend = new WebGpuBackend(ctx);
    backend.tuning = {
      mode: 'retune',
      batches: [tokens.length],
      budgetMs: 600_000, // tuning stops when every shape is timed; the budget only has to outlast a loaded machine
    };
    try {
      await withErrorScopes(ctx.device, () => backend.prepare(pair));
      const report = backend.tuned!.report!;
      // Every shape tuned, the unembedding's (vocab × d) after every block linear's.
      const { vocabSize: V, dModel: d } = weights.config;
      const keys = report.shapes.map((s) => s.key);
      expect(keys.slice(-2).map((k) => k.split(' ').slice(0, 2).join(' '))).toEqual([
        `dense ${V}x${d}`,
        `csr ${V}x${d}`,
      ]);
      expect(Object.values(report.table).every((e) => e.how === 'tuned')).toBe(true);
      const tunedKernels = new Set(Object.values(report.table).map((e) => describeChoice(e.choice)));
      for (const path of ['dense', 'sparse'] as const) {
        const gpu = await withErrorScopes(ctx.device, () => backend.forward(tokens, { path }));
        const cpu = forwardCsp(path === 'dense' ? pair.dense : pair.sparse, tokens, { path });
        expectClose(gpu.logits, cpu.logits, 1e-4, 1e-4);
        for (const op of ['qkv', 'attn.proj', 'fc', 'fc.proj', 'unembed']) {
          const t = gpu.timings.find((x) => x.op === op)!;
          expect(['tuned', 'default'], `${path} ${op}`).toContain(t.chosen);
          expect(tunedKernels.has(t.kernel!), `${path} ${op} ran ${t.kernel}`).toBe(true);
        }
        // Decoding: one row of logits.
        await backend.forward(tokens.slice(0, -1), { path });
        const step = await withErrorScopes(ctx.device, () =>
          backend.forward(tokens.slice(-1), { path, append: true, logits: 'last' }),
        );
        expectClose(step.logits, cpu.logits.subarray((tokens.length - 1) * V), 1e-4, 1e-4);
        // Batch 1 is GEMV's regime for dense, where nothing was tuned (only batch 7): the default runs there,
        // and says so; CSR's batch-1 default is the same kernel family, so its batch-7 choice serves it.
        const unembed = step.timings.find((x) => x.op === 'unembed')!;
        if (unembed.chosen === 'tuned') expect(tunedKernels.has(unembed.kernel!)).toBe(true);
        else expect(unembed.chosen).toBe('default');
      }
    } finally {
      backend.dispose();
    }
  });
});

/** `perRow` nonzeros per row at random distinct columns. */
function randomCsr(rows: number, cols: number, perRow: number): CsrMatrix {
  const dense = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let placed = 0; placed < perRow; ) {
      const c = rng.int(cols);
      if (dense[r * cols + c] === 0) {
        dense[r * cols + c] = rng.next() * 2 - 1 || 0.5;
        placed++;
      }
    }
  }
  return CsrMatrix.fromDense(dense, rows, cols);
}
