// When a WebAssembly kernel runs out of wasm memory the CPU backend runs its JavaScript twin; the note
// saying so travels with the worker's reply (protocol.ts) and the backend hands each kernel's note out
// once (takeFallbackNotes, what the app's status bar shows). The WASM kernels are made to throw here.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { CpuBackend } from '../../src/engine/cpu/cpuBackend';
import { CpuPathRunner } from '../../src/engine/cpu/protocol';
import { CsrMatrix } from '../../src/math/csr';
import { runDnnCpu, type SparseDnn } from '../../src/math/dnn';
import { Rng } from '../../src/math/rng';
import { forwardCpu } from '../../src/math/transformer';
import { takeWasmFallbacks } from '../../src/math/wasm/fallbacks';
import { presetConfig } from '../../src/model/config';
import { initGpt2 } from '../../src/model/init';
import { sparsifyModel } from '../../src/model/sparsify';

const oom = vi.hoisted(() => ({ on: false }));

/** `fn`, throwing WasmMemoryError instead while `oom.on`. */
async function failing<F extends (...args: never[]) => unknown>(fn: F): Promise<F> {
  const { WasmMemoryError } = await import('../../src/math/wasm/heap');
  return ((...args: Parameters<F>) => {
    if (oom.on) throw new WasmMemoryError('wasm kernels: cannot grow memory to 123456 bytes');
    return fn(...args);
  }) as F;
}

vi.mock('../../src/math/wasm/gemmWasm', async (original) => {
  const mod = await original<typeof import('../../src/math/wasm/gemmWasm')>();
  return { ...mod, matmulWasm: await failing(mod.matmulWasm) };
});
vi.mock('../../src/math/wasm/spmmWasm', async (original) => {
  const mod = await original<typeof import('../../src/math/wasm/spmmWasm')>();
  return { ...mod, spmmWasm: await failing(mod.spmmWasm) };
});
vi.mock('../../src/math/wasm/attentionWasm', async (original) => {
  const mod = await original<typeof import('../../src/math/wasm/attentionWasm')>();
  return { ...mod, causalAttentionWasm: await failing(mod.causalAttentionWasm) };
});
vi.mock('../../src/math/wasm/dnnWasm', async (original) => {
  const mod = await original<typeof import('../../src/math/wasm/dnnWasm')>();
  return { ...mod, runDnnWasm: await failing(mod.runDnnWasm) };
});

// 'tiny': head dimension 16 (the WASM attention applies), 8 tokens (the WASM SpMM's smallest batch).
const dense = initGpt2(presetConfig('tiny'), { seed: 3, std: 0.2 });
const sparse = sparsifyModel(dense, { density: 0.25 });
const tokens = [1, 5, 9, 2, 0, 22, 7, 40];

describe('CPU backend: WebAssembly fallbacks are said, once', () => {
  beforeEach(() => {
    oom.on = false;
    takeWasmFallbacks(); // none left over from a call outside the backend (the references below)
  });

  it('a forward whose kernels fell back carries a note per kernel, and the backend says each once', async () => {
    const backend = new CpuBackend();
    await backend.prepare({ dense, sparse });
    const before = await backend.forward(tokens, { path: 'sparse' });
    expect(backend.takeFallbackNotes()).toEqual([]); // WASM ran: nothing to say
    oom.on = true;
    const after = await backend.forward(tokens, { path: 'sparse' });
    const notes = backend.takeFallbackNotes();
    // The sparse path: SpMM for the blocks, attention, and the dense unembedding's GEMM.
    expect(notes.map((n) => n.split(':')[0]).sort()).toEqual(['attention', 'matmul', 'spmm']);
    for (const note of notes)
      expect(note).toMatch(
        /: WebAssembly kernel out of memory \(cannot grow memory to 123456 bytes\); ran the JavaScript kernel instead$/,
      );
    // The JavaScript kernels gave the same logits (to float32 rounding), so the note is the only change.
    after.logits.forEach((v, i) => {
      expect(v).toBeCloseTo(before.logits[i], 3);
    });
    await backend.forward(tokens, { path: 'sparse' });
    expect(backend.takeFallbackNotes()).toEqual([]); // said once
    await backend.forward(tokens, { path: 'dense' }); // its GEMMs fall back too: matmul was said already
    expect(backend.takeFallbackNotes()).toEqual([]);
  });

  it("the worker's reply carries the notes, and a clean call none", () => {
    const runner = new CpuPathRunner();
    runner.prepare({ weights: dense, path: 'dense' });
    const request = { tokens, append: false, activations: false, logits: 'last' as const };
    expect(runner.forward(request).fallbacks).toBeUndefined();
    oom.on = true;
    const reply = runner.forward(request);
    expect(reply.fallbacks?.map((f) => f.kernel).sort()).toEqual(['attention', 'matmul']);
    const ref = forwardCpu(dense, tokens, { path: 'dense' }); // still out of memory: JavaScript too
    expect(Array.from(reply.result.logits)).toEqual(Array.from(ref.logits.slice(-dense.config.vocabSize)));
  });

  it('a layered network run on the live-simd kernel reports its skip-zeros fallback', async () => {
    const rng = new Rng(5);
    const widths = [24, 32, 16];
    const layers = widths.slice(1).map((n, l) => {
      const w = new Float32Array(n * widths[l]).map(() => (rng.next() < 0.2 ? rng.normal() : 0));
      return CsrMatrix.fromDense(w, n, widths[l]);
    });
    const dnn: SparseDnn = { layers, bias: -0.3, ymax: 32, names: ['w1', 'w2'] };
    const input = CsrMatrix.fromDense(
      new Float32Array(20 * 24).map(() => (rng.next() < 0.5 ? rng.next() * 2 : 0)),
      20,
      24,
    );
    const backend = new CpuBackend();
    await backend.prepareDnn({ dnn });
    const clean = await backend.runDnn(input, 'sparse');
    expect(backend.takeFallbackNotes()).toEqual([]);
    oom.on = true;
    const run = await backend.runDnn(input, 'sparse');
    expect(backend.takeFallbackNotes()).toEqual([
      expect.stringMatching(/^live-simd kernel out of wasm memory .*; ran the skip-zeros kernel instead$/),
    ]);
    expect(run.categories).toEqual(clean.categories);
    expect(run.categories).toEqual(
      runDnnCpu(dnn, input, { path: 'sparse', sparseKernel: 'skip-zeros' }).categories,
    );
  });
});
