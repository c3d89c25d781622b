// The WASM kernels' 2 GiB address limit (src/math/wasm/heap.ts): past 2^31 the hosts' 32-bit arithmetic
// and dnn.wat's address comparisons went wrong silently (every output of a run whose scratch crossed
// 2 GiB was wrong, no error). Now heap.ts refuses memory above 2^31 with WasmMemoryError, runDnnCpu
// takes the JavaScript skip-zeros kernel, saying so, and attention its JavaScript kernel. Growing the
// memory only reserves address space (the run keeps ≈ 90 MB resident): the real crossing, in a second.
import { afterAll, describe, expect, it } from 'vitest';
import { causalAttention } from '../../src/math/attention';
import { causalAttentionFast } from '../../src/math/attentionFast';
import { CsrMatrix } from '../../src/math/csr';
import { runDnnCpu, type SparseDnn } from '../../src/math/dnn';
import { runDnnWasm } from '../../src/math/wasm/dnnWasm';
import {
  align16,
  ensureMemory,
  releaseResident,
  reserveResident,
  scratchBase,
  setResidentBudget,
  WASM_MEMORY_LIMIT_BYTES,
  WasmMemoryError,
} from '../../src/math/wasm/heap';

const identity = (n: number) =>
  CsrMatrix.fromDense(
    new Float32Array(n * n).map((_, i) => (i % (n + 1) === 0 ? 1 : 0)),
    n,
    n,
  );

describe('WASM kernels above 2 GiB of memory', () => {
  afterAll(() => {
    releaseResident();
    setResidentBudget(256 * 1024 * 1024);
  });

  it('align16 rounds sizes at and past 2^31 up, not to a negative number', () => {
    expect(align16(2 ** 31 - 15)).toBe(2 ** 31);
    expect(align16(2 ** 31 + 1)).toBe(2 ** 31 + 16);
    expect(align16(3 * 2 ** 30 + 17)).toBe(3 * 2 ** 30 + 32);
  });

  it('ensureMemory refuses an end past the limit before growing anything', () => {
    expect(WASM_MEMORY_LIMIT_BYTES).toBe(2 ** 31);
    expect(() => ensureMemory(2 ** 31 + 16)).toThrow(WasmMemoryError);
    expect(() => ensureMemory(Number.NaN)).toThrow(WasmMemoryError);
  });

  it('a run whose scratch would cross 2 GiB falls back to skip-zeros, right and reported', () => {
    const n = 64;
    const images = 200;
    const dnn: SparseDnn = {
      layers: [identity(n), identity(n), identity(n)],
      bias: -0.5,
      ymax: 32,
      names: ['w1', 'w2', 'w3'],
    };
    const input = CsrMatrix.fromDense(
      new Float32Array(images * n).map((_, i) => 1 + (i % 7)),
      images,
      n,
    );
    // Resident blocks (address space only: the fill writes nothing) up to 40 KB below 2 GiB, as a big
    // network's weights would; the layers and activations then need scratch past 2^31.
    setResidentBudget(4 * 2 ** 30);
    expect(reserveResident({}, 2 ** 31 - 40000, () => {})).toBe(true);
    expect(scratchBase()).toBeLessThan(2 ** 31);
    expect(() => runDnnWasm(dnn.layers, input, dnn.bias, dnn.ymax)).toThrow(WasmMemoryError);

    const got = runDnnCpu(dnn, input, { path: 'sparse', sparseKernel: 'live-simd' });
    expect(got.fallback).toMatch(/live-simd kernel out of wasm memory.*skip-zeros/);
    let wrong = 0;
    for (let i = 0; i < images * n; i++) {
      if (got.y[i] !== Math.max(1 + (i % 7) - 1.5, 0)) wrong++; // three layers of x − 0.5
    }
    expect(wrong).toBe(0);
    expect(got.layerMs).toHaveLength(3);
  });

  it('attention whose scratch would cross 2 GiB takes the JavaScript kernel, not an error', () => {
    expect(scratchBase()).toBeGreaterThan(2 ** 31 - 40000); // the previous test's resident blocks
    const T = 64; // qkv alone is 48 KiB of scratch
    const d = 64;
    const qkv = new Float32Array(T * 3 * d).map((_, i) => Math.sin(i));
    const cache = () => new Float32Array(T * d);
    const want = causalAttention(qkv, T, 0, 4, d, cache(), cache());
    expect(causalAttentionFast(qkv, T, 0, 4, d, cache(), cache())).toEqual(want);
  });
});
