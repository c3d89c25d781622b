// The DNN workload end to end in Node on its CPU path (the runner is called inline where there is no
// Worker): picked .mtx files → parse → both graphs → an image range through both paths.
import { describe, expect, it } from 'vitest';
import type { Session } from '../../src/engine/session';
import { writeMatrixMarket } from '../../src/formats/matrixMarketCsr';
import { CsrMatrix } from '../../src/math/csr';
import { runDnnCpu } from '../../src/math/dnn';
import { Rng } from '../../src/math/rng';
import type { SparseDnn } from '../../src/model/dnn';
import { DenseWeights } from '../../src/model/graph';
import { dnnLayerActivations } from '../../src/model/graphDnn';
import { createDnnWorkload } from '../../src/ui/workloads/dnn';
import { DnnCpuRunner, transferables } from '../../src/ui/workloads/dnnCpu';
import { classifyDnnFiles } from '../../src/ui/workloads/dnnSources';
import { formatDnnSummary, formatRate, parseImageRange } from '../../src/ui/workloads/dnnSummary';

// A CPU session as the workload sees it: only `status` and `gpuContext` are read.
const cpuSession = {
  status: { kind: 'cpu', reason: 'test', description: 'CPU', timer: 'wall' },
  gpuContext: null,
} as unknown as Session;

function network(rng: Rng, width: number, layers: number, perRow: number): SparseDnn {
  const out: CsrMatrix[] = [];
  for (let l = 0; l < layers; l++) {
    const dense = new Float32Array(width * width);
    for (let r = 0; r < width; r++) {
      // Gain Σw ≈ 2 per neuron with b = −0.3: bright images grow to ymax, dim ones die (both happen).
      for (let e = 0; e < perRow; e++) dense[r * width + rng.int(width)] = 0.2 * rng.next() + 0.15;
    }
    out.push(CsrMatrix.fromDense(dense, width, width));
  }
  return { layers: out, bias: -0.3, ymax: 32, names: out.map((_, l) => `n${width}-l${l + 1}.mtx`) };
}

describe('parseImageRange', () => {
  it('reads all, ranges in several spellings and single images; 1-based in, 0-based out', () => {
    expect(parseImageRange('all', 1200)).toEqual({ first: 0, count: 1200 });
    expect(parseImageRange(' ', 1200)).toEqual({ first: 0, count: 1200 });
    expect(parseImageRange('280-311', 1200)).toEqual({ first: 279, count: 32 });
    expect(parseImageRange('280 – 311', 1200)).toEqual({ first: 279, count: 32 });
    expect(parseImageRange('1..1200', 1200)).toEqual({ first: 0, count: 1200 });
    expect(parseImageRange('287', 1200)).toEqual({ first: 286, count: 1 });
    expect(() => parseImageRange('0-5', 1200)).toThrow(/images 1-1200/);
    expect(() => parseImageRange('10-5', 1200)).toThrow(/a ≤ b/);
    expect(() => parseImageRange('1-1201', 1200)).toThrow(/images 1-1200/);
    expect(() => parseImageRange('first ten', 1200)).toThrow(/expected "all"/);
  });
});

describe('classifyDnnFiles', () => {
  const f = (name: string) => ({ name });
  it('sorts a folder into layers, images and truth, ignoring non-.mtx files', () => {
    const roles = classifyDnnFiles(
      ['README.md', 'n1024-l2.mtx', 'sparse-images-1024.mtx', 'n1024-l1.mtx', 'x-categories.mtx'].map(f),
    );
    expect(roles.layers.map((x) => x.name)).toEqual(['n1024-l2.mtx', 'n1024-l1.mtx']);
    expect(roles.images?.name).toBe('sparse-images-1024.mtx');
    expect(roles.truth?.name).toBe('x-categories.mtx');
    expect(roles.ignored.map((x) => x.name)).toEqual(['README.md']);
  });
  it('names the file it cannot place, and refuses a pick with no layers or two image files', () => {
    expect(() => classifyDnnFiles([f('n1-l1.mtx'), f('weights.mtx')])).toThrow(/weights\.mtx: not a layer/);
    expect(() => classifyDnnFiles([f('images.mtx')])).toThrow(/no layer files/);
    expect(() => classifyDnnFiles([f('l1.mtx'), f('a-images.mtx'), f('b-images.mtx')])).toThrow(
      /two images files/,
    );
  });
});

describe('formatDnnSummary', () => {
  it('lists few categories, counts many, checks the truth and both paths, and gives the speedup', () => {
    const runs = (sparse: number[], dense: number[]) => [
      { path: 'sparse' as const, categories: sparse, seconds: 0.01, edgesPerSecond: 1.5e9 },
      { path: 'dense' as const, categories: dense, seconds: 0.5, edgesPerSecond: 3e7 },
    ];
    const ok = formatDnnSummary({
      first: 279,
      count: 32,
      runs: runs([286, 294], [286, 294]),
      truth: [286, 294],
      backend: 'WebGPU',
    });
    expect(ok).toBe(
      'images 280–311 · categories 287, 295 = truth ✓ · WebGPU · sparse 1.50e9 edges/s (10.0 ms) · ' +
        'dense 3.00e7 edges/s (500 ms) · sparse 50.0× faster',
    );
    const many = Array.from({ length: 19 }, (_, i) => i * 50);
    expect(
      formatDnnSummary({ first: 0, count: 1200, runs: runs(many, many), truth: many, backend: 'CPU' }),
    ).toContain('images 1–1200 · 19 categories = truth ✓ · CPU');
    const wrong = formatDnnSummary({ first: 0, count: 10, runs: runs([1], [2]), truth: [1], backend: 'CPU' });
    expect(wrong).toContain('categories 2 ✗ truth: categories 2 ✗ dense path: categories 3');
    expect(formatRate(0)).toBe('—');
  });
});

describe('DNN workload on the CPU path', () => {
  it('loads picked files in any order, draws both networks and finds the true categories', async () => {
    const rng = new Rng(5);
    const width = 64;
    const dnn = network(rng, width, 6, 8);
    const pixels = new Float32Array(20 * width);
    for (let i = 0; i < pixels.length; i++) {
      if (rng.next() < (Math.floor(i / width) + 1) / 40) pixels[i] = 1; // image i: density (i + 1) / 40
    }
    const input = CsrMatrix.fromDense(pixels, 20, width);
    const reference = runDnnCpu(dnn, input, { path: 'dense' }).categories;
    expect(reference.length).toBeGreaterThan(0); // something survives: the check below can fail
    expect(reference.length).toBeLessThan(20);
    const truthText = writeMatrixMarket(
      {
        rows: 20,
        cols: 1,
        rowIdx: Uint32Array.from(reference),
        colIdx: new Uint32Array(reference.length),
        values: new Float32Array(reference.length).fill(1),
      },
      { field: 'pattern' },
    );
    const files = [
      // The files hold in×out matrices (row = input neuron): the transpose of our out×in CSR.
      ...dnn.layers.map((w, l) => new File([writeMatrixMarket(w.transpose())], dnn.names[l])).reverse(),
      new File([writeMatrixMarket(input, { field: 'pattern' })], 'test-images.mtx'),
      new File([truthText], 'test-categories.mtx'),
      new File(['not a matrix'], 'README.md'),
    ];
    const workload = createDnnWorkload({ kind: 'files', files });
    const progress: string[] = [];
    await workload.load(cpuSession, 1, (_f, what) => progress.push(what));
    expect(progress.some((p) => p.startsWith('reading n64-l3.mtx'))).toBe(true);
    expect(workload.network!.names).toEqual(dnn.names); // ordered by the number in the name

    const result = await workload.run(cpuSession, '3-20');
    const { sparseGraph, denseGraph, timings, activations } = result.scene;
    expect(sparseGraph.layers).toHaveLength(7);
    expect(denseGraph.edges.every((e) => e.weights instanceof DenseWeights)).toBe(true);
    expect(timings).toHaveLength(12);
    for (const path of ['sparse', 'dense']) {
      const rows = timings.filter((t) => t.path === path);
      expect(rows.map((t) => t.layer)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(rows.every((t) => t.op === 'dnn' && t.source === 'wall' && t.ms >= 0)).toBe(true);
    }
    const inRange = reference.filter((i) => i >= 2);
    const expected =
      inRange.length > 8
        ? `${inRange.length} categories`
        : `categories ${inRange.map((i) => i + 1).join(', ')}`;
    expect(result.summary).toContain(`images 3–20 · ${expected} = truth ✓ · CPU`);
    expect(result.summary).toMatch(/sparse [\d.]+e\d+ edges\/s .* dense [\d.]+e\d+ edges\/s/);
    expect(activations?.sparse?.tokens).toEqual(inRange.slice(0, 8).map((i) => `img ${i + 1}`));
    expect(workload.benchLayers()).toEqual({
      name: 'Sparse DNN (picked files)',
      shapes: [{ n: width, k: width }],
      densities: [dnn.layers.reduce((s, w) => s + w.nnz, 0) / (6 * width * width)],
    });
    await expect(workload.run(cpuSession, '0-3')).rejects.toThrow(/images 1-20/);
    workload.dispose();
  });
});

describe('DnnCpuRunner', () => {
  it('makes the dense copies and answers dnnLayerActivations for rows of its input, handing arrays over', async () => {
    const rng = new Rng(9);
    const width = 32;
    const dnn = network(rng, width, 4, 6);
    const pixels = new Float32Array(10 * width).map(() => (rng.next() < 0.3 ? 1 : 0));
    const input = CsrMatrix.fromDense(pixels, 10, width);
    const runner = new DnnCpuRunner();
    const noNetwork = await runner.handle({ id: 1, type: 'activations', images: [0] }, () => {});
    expect(noNetwork).toMatchObject({ ok: false, error: expect.stringMatching(/no network/) });
    const blob = (text: string) => new Blob([text]);
    const parsed = await runner.handle(
      {
        id: 2,
        type: 'parse',
        layers: dnn.layers.map((w, l) => ({
          name: dnn.names[l],
          blob: blob(writeMatrixMarket(w.transpose())),
        })),
        images: { name: 'test-images.mtx', blob: blob(writeMatrixMarket(input, { field: 'pattern' })) },
        dense: true,
      },
      () => {},
    );
    if (!parsed.ok || parsed.type !== 'parse') throw new Error(`unexpected reply ${JSON.stringify(parsed)}`);
    expect(parsed.dense).toHaveLength(4);
    for (const [l, w] of dnn.layers.entries()) expect([...parsed.dense![l]]).toEqual([...w.toDense()]);
    // 3 arrays per CSR (4 layers + the input) and the 4 dense copies, each its own buffer.
    expect(new Set(transferables(parsed)).size).toBe(3 * 5 + 4);
    const images = [7, 2, 9];
    const reply = await runner.handle({ id: 3, type: 'activations', images }, () => {});
    if (!reply.ok || reply.type !== 'activations')
      throw new Error(`unexpected reply ${JSON.stringify(reply)}`);
    const want = dnnLayerActivations(dnn, input, images, ['a', 'b', 'c']).byLayer;
    expect(Object.keys(reply.byLayer)).toEqual(Object.keys(want));
    for (const id of Object.keys(want)) expect([...reply.byLayer[id]]).toEqual([...want[id]]);
    expect(want.l1.some((v) => v !== 0)).toBe(true); // not all dead: the comparison means something
    expect(transferables(reply)).toHaveLength(Object.keys(want).length);
    const bad = await runner.handle({ id: 4, type: 'activations', images: [10] }, () => {});
    expect(bad).toMatchObject({ ok: false, error: expect.stringMatching(/not a row/) });
  });
});
