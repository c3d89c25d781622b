// The WebAssembly SIMD DNN kernel (src/math/wasm/dnnWasm.ts, dnn.wat) against the JavaScript reference
// kernels of src/math/dnn.ts: random small networks with image counts that are not multiples of the
// kernel's 8-image groups, images dying at different layers (groups repacked), every image dying, a
// positive bias (no image may be dropped), the JavaScript fallback where WASM SIMD is missing, and the
// real Graph Challenge data through the CLI with --truth.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main';
import { CsrMatrix } from '../../src/math/csr';
import { resolveDnnKernel, runDnnCpu, type SparseDnn } from '../../src/math/dnn';
import { Rng } from '../../src/math/rng';
import { runDnnWasm, wasmDnnAvailable } from '../../src/math/wasm/dnnWasm';
import {
  ensureMemory,
  isResident,
  releaseResident,
  scratchBase,
  setResidentBudget,
} from '../../src/math/wasm/heap';

function randomDnn(rng: Rng, widths: number[], density: number, bias: number, ymax: number): SparseDnn {
  const layers = widths.slice(1).map((n, l) => {
    const dense = new Float32Array(n * widths[l]).map(() =>
      rng.next() < density ? Math.fround(rng.next() * 2 - 1) : 0,
    );
    return CsrMatrix.fromDense(dense, n, widths[l]);
  });
  return { layers, bias, ymax, names: layers.map((_, l) => `w${l + 1}`) };
}

function randomImages(rng: Rng, images: number, width: number, density: number): CsrMatrix {
  const x = new Float32Array(images * width).map(() => (rng.next() < density ? rng.next() * 2 : 0));
  return CsrMatrix.fromDense(x, images, width);
}

function expectClose(actual: Float32Array, expected: Float32Array): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / (1 + Math.abs(expected[i])));
  }
  expect(worst).toBeLessThanOrEqual(1e-5);
}

/**
 * Fill the wasm memory above the resident blocks with NaN, 8 MiB of it (more than any run here uses:
 * the 2061-image case takes ≈ 1 MiB), so memory a run reads before writing is NaN, not a grown page's 0.
 */
function poisonScratch(): void {
  const from = scratchBase();
  ensureMemory(from + 8 * 2 ** 20).f32.fill(Number.NaN, from / 4);
}

/** Live images after each layer, by the JavaScript kernel run on prefixes of the network. */
function liveCounts(dnn: SparseDnn, input: CsrMatrix): number[] {
  return dnn.layers.map(
    (_, l) =>
      runDnnCpu({ ...dnn, layers: dnn.layers.slice(0, l + 1) }, input, {
        path: 'sparse',
        sparseKernel: 'skip-zeros',
      }).categories.length,
  );
}

describe('WASM SIMD DNN kernel (live images, 8 a group)', () => {
  it('is available here and is the default CPU sparse kernel', () => {
    expect(wasmDnnAvailable()).toBe(true);
    expect(resolveDnnKernel()).toBe('live-simd');
    expect(resolveDnnKernel('skip-zeros')).toBe('skip-zeros');
    expect(resolveDnnKernel('spmm')).toBe('spmm');
  });

  const cases = [
    { images: 1, bias: -0.2, ymax: 32, density: 0.3 },
    { images: 13, bias: -0.3, ymax: 1.5, density: 0.4 }, // the clamp bites
    { images: 37, bias: 0, ymax: 32, density: 0.15 },
    { images: 59, bias: -0.5, ymax: 32, density: 0.35 },
    { images: 21, bias: 0.25, ymax: 4, density: 0.2 }, // positive bias
    { images: 2061, bias: -0.05, ymax: 32, density: 0.3 }, // two chunks of images (CHUNK_IMAGES = 2048)
  ];
  for (const [c, { images, bias, ymax, density }] of cases.entries()) {
    it(`random network ${c}: ${images} images, bias ${bias}, ymax ${ymax}, widths not multiples of 4`, () => {
      const rng = new Rng(4200 + c);
      const widths = Array.from({ length: 9 }, () => 5 + rng.int(30));
      const dnn = randomDnn(rng, widths, density, bias, ymax);
      const input = randomImages(rng, images, widths[0], 0.5);
      const want = runDnnCpu(dnn, input, { path: 'sparse', sparseKernel: 'skip-zeros' });
      poisonScratch();
      const got = runDnnCpu(dnn, input, { path: 'sparse', sparseKernel: 'live-simd' });
      // The NaN-poisoned guard: a read of scratch the run did not write first (activations, padded
      // lanes, the liveness) would carry NaN into y. Dead images' rows are the output array's own zeros.
      expect(got.y.some(Number.isNaN)).toBe(false);
      expectClose(got.y, want.y);
      expect(got.categories).toEqual(want.categories);
      expect(got.layerMs).toHaveLength(8);
      if (images > 2048) {
        // Survivors in both chunks, so each chunk's rows must land in their own place.
        expect(want.categories.some((i) => i < 2048) && want.categories.some((i) => i >= 2048)).toBe(true);
      }
      if (bias <= 0 && images > 8) {
        // The case is only worth its name if images die between the first layer and the last.
        const live = liveCounts(dnn, input);
        expect(live[0]).toBeGreaterThan(live[live.length - 1]);
      }
    });
  }

  // Identity layers with bias −1: every neuron of image i holds v_i − l after l layers, so the image
  // dies at layer ⌈v_i⌉. 45 images in 6 groups; deaths at every layer shrink the groups step by step
  // and the survivors come from every lane, so repacking must move each to the right slot.
  it('images dying at different layers are repacked and keep their values', () => {
    const width = 6;
    const layersN = 7;
    const eye = CsrMatrix.fromDense(
      new Float32Array(width * width).map((_, i) => (i % (width + 1) === 0 ? 1 : 0)),
      width,
      width,
    );
    const dnn: SparseDnn = {
      layers: Array.from({ length: layersN }, () => eye),
      bias: -1,
      ymax: 100,
      names: Array.from({ length: layersN }, (_, l) => `eye${l + 1}`),
    };
    const images = 45;
    const v = Array.from({ length: images }, (_, i) => ((i * 37) % 41) * 0.25 + 0.125); // 0.125 … 10.125
    const input = CsrMatrix.fromDense(
      Float32Array.from({ length: images * width }, (_, k) => v[Math.floor(k / width)]),
      images,
      width,
    );
    const r = runDnnWasm(dnn.layers, input, dnn.bias, dnn.ymax);
    for (let i = 0; i < images; i++) {
      const want = Math.max(v[i] - layersN, 0);
      for (let n = 0; n < width; n++) expect(r.y[i * width + n]).toBe(want);
    }
    const live = liveCounts(dnn, input);
    expect(new Set(live).size).toBeGreaterThan(4); // deaths spread over the layers
    expect(live[live.length - 1]).toBeGreaterThan(0);
  });

  it('every image dying leaves all-zero activations and no categories', () => {
    const rng = new Rng(7);
    const dnn = randomDnn(rng, [17, 23, 11, 9], 0.4, -0.4, 32);
    const input = randomImages(rng, 19, 17, 0.3);
    const dead = { ...dnn, bias: -1000 };
    const r = runDnnCpu(dead, input, { path: 'sparse', sparseKernel: 'live-simd' });
    expect(r.categories).toEqual([]);
    expect(r.y.every((x) => x === 0)).toBe(true);
    expect(r.layerMs).toHaveLength(3);
    // And an input with no nonzero at all: nothing lives from the start.
    const empty = CsrMatrix.fromDense(new Float32Array(5 * 17), 5, 17);
    expect(runDnnCpu(dnn, empty, { path: 'sparse' }).categories).toEqual([]);
  });

  // With b > 0 an image whose outputs are all 0 comes back to clamp(b) at the next layer, so no image
  // may be dropped: layer 1 (−10·I) zeroes everything, layer 2 (I) gives b on every neuron.
  it('a positive bias keeps images whose outputs are all 0', () => {
    const width = 5;
    const eye = (s: number) =>
      CsrMatrix.fromDense(
        new Float32Array(width * width).map((_, i) => (i % (width + 1) === 0 ? s : 0)),
        width,
        width,
      );
    const dnn: SparseDnn = { layers: [eye(-10), eye(1)], bias: 0.5, ymax: 32, names: ['a', 'b'] };
    const input = CsrMatrix.fromDense(new Float32Array(11 * width).fill(1), 11, width);
    const one = runDnnCpu({ ...dnn, layers: dnn.layers.slice(0, 1) }, input, { path: 'sparse' });
    expect(one.categories).toEqual([]);
    const r = runDnnCpu(dnn, input, { path: 'sparse', sparseKernel: 'live-simd' });
    expect(Array.from(r.y)).toEqual(new Array(11 * width).fill(0.5));
    expect(r.categories).toHaveLength(11);
  });
});

describe('weights not resident (over the residency budget)', () => {
  afterEach(() => {
    setResidentBudget(256 * 1024 * 1024);
    releaseResident();
  });

  it('copies the layers into scratch for the run and gives the same result', () => {
    const rng = new Rng(21);
    const dnn = randomDnn(rng, [26, 30, 19, 22], 0.3, -0.1, 32);
    const input = randomImages(rng, 17, 26, 0.5);
    const want = runDnnWasm(dnn.layers, input, dnn.bias, dnn.ymax).y;
    expect(dnn.layers.every((w) => !isResident(w))).toBe(true); // its own keys, not the CsrMatrix's
    releaseResident();
    setResidentBudget(0);
    const poison = CsrMatrix.fromDense(new Float32Array(9 * 26).fill(Number.NaN), 9, 26);
    runDnnWasm(dnn.layers, poison, dnn.bias, dnn.ymax); // leaves NaN in the scratch the next run reuses
    expect(runDnnWasm(dnn.layers, input, dnn.bias, dnn.ymax).y).toEqual(want);
  });
});

describe('layers timed over repeated kernel calls (minLayerMs, for a coarse browser timer)', () => {
  it('repeats each layer until the time has passed, reports the mean and the count, same result', () => {
    const rng = new Rng(12);
    const dnn = randomDnn(rng, [20, 24, 18, 16], 0.4, -0.2, 32);
    const input = randomImages(rng, 11, 20, 0.5);
    const once = runDnnWasm(dnn.layers, input, dnn.bias, dnn.ymax);
    expect(once.layerRepeats).toEqual([1, 1, 1]);
    const repeated = runDnnCpu(dnn, input, { path: 'sparse', minLayerMs: 2 });
    expect(repeated.y).toEqual(once.y);
    expect(repeated.layerRepeats).toHaveLength(3);
    for (const [l, r] of (repeated.layerRepeats ?? []).entries()) {
      expect(r).toBeGreaterThan(1);
      // The mean of r calls: r of them took at least 2 ms together, unless the cap of 1000 calls came first.
      expect(r === 1000 || repeated.layerMs[l] * r >= 2).toBe(true);
    }
  });
});

describe('without WebAssembly SIMD', () => {
  afterEach(() => {
    vi.doUnmock('../../src/math/wasm/dnnWasm');
    vi.resetModules();
  });

  it('the default CPU sparse kernel falls back to the JavaScript skip-zeros kernel', async () => {
    vi.resetModules();
    vi.doMock('../../src/math/wasm/dnnWasm', () => ({
      wasmDnnAvailable: () => false,
      runDnnWasm: () => {
        throw new Error('no WASM SIMD');
      },
    }));
    const dnnModule = await import('../../src/math/dnn');
    expect(dnnModule.resolveDnnKernel()).toBe('skip-zeros');
    const rng = new Rng(11);
    const dnn = randomDnn(rng, [12, 14, 10], 0.4, -0.2, 32);
    const input = randomImages(rng, 9, 12, 0.5);
    const r = dnnModule.runDnnCpu(dnn, input, { path: 'sparse' });
    expect(r.y).toEqual(runDnnCpu(dnn, input, { path: 'sparse', sparseKernel: 'skip-zeros' }).y);
  });
});

const DATA = resolve(
  fileURLToPath(new URL('../..', import.meta.url)),
  '..',
  'shared',
  'data',
  'graph-challenge-dnn',
);

describe('Graph Challenge through the CLI', () => {
  it('`sparsescope dnn --backend cpu` (live-simd, main thread) matches the 19 true categories', {
    timeout: 60_000,
  }, async () => {
    expect(existsSync(DATA), `Graph Challenge data missing at ${DATA}`).toBe(true);
    const json = join(mkdtempSync(join(tmpdir(), 'dnn-cli-')), 'out.json');
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    let status: number;
    try {
      status = await main([
        'dnn',
        '--backend',
        'cpu',
        '--workers',
        '1',
        '--repeat',
        '1',
        '--layers',
        DATA,
        '--input',
        join(DATA, 'sparse-images-1024_subset.mtx'),
        '--truth',
        join(DATA, 'neuron1024-l120-categories_subset.mtx'),
        '--json',
        json,
      ]);
    } finally {
      log.mockRestore();
    }
    expect(status).toBe(0);
    const report = JSON.parse(readFileSync(json, 'utf8')) as { cpuKernel: string; categories: number[] };
    expect(report.cpuKernel).toBe('live-simd');
    expect(report.categories).toHaveLength(19);
  });
});
