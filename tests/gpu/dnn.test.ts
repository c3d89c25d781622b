// The Graph Challenge sparse DNN on WebGPU (src/engine/dnnGpu.ts) against the CPU paths and the truth.
// Activation buffers start NaN-poisoned (the plan does it), so an unwritten element fails the comparison.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DnnGpuPlan, runDnnGpu } from '../../src/engine/dnnGpu';
import { CsrMatrix } from '../../src/math/csr';
import { runDnnCpu } from '../../src/math/dnn';
import { Rng } from '../../src/math/rng';
import {
  loadDnnCategories,
  loadDnnFromTexts,
  loadDnnInput,
  type SparseDnn,
  selectImages,
} from '../../src/model/dnn';
import { expectClose, gpuContext, withErrorScopes } from './harness';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const DATA = resolve(REPO, '..', 'shared', 'data', 'graph-challenge-dnn');

function dataText(name: string): string {
  const path = resolve(DATA, name);
  if (!existsSync(path)) {
    throw new Error(
      `Graph Challenge data missing: looked for ${path} (<repo>/../shared/data/graph-challenge-dnn)`,
    );
  }
  return readFileSync(path, 'utf8');
}

function graphChallenge(): { dnn: SparseDnn; input: CsrMatrix; truth: number[] } {
  const files = Array.from({ length: 30 }, (_, l) => ({
    name: `n1024-l${l + 1}.mtx`,
    text: dataText(`n1024-l${l + 1}.mtx`),
  }));
  const dnn = loadDnnFromTexts(files);
  const input = loadDnnInput(dataText('sparse-images-1024_subset.mtx'), 'images', dnn);
  const truth = loadDnnCategories(dataText('neuron1024-l120-categories_subset.mtx'), 'categories');
  return { dnn, input, truth };
}

const firstLayers = (dnn: SparseDnn, n: number): SparseDnn => ({
  ...dnn,
  layers: dnn.layers.slice(0, n),
  names: dnn.names.slice(0, n),
});

describe('Graph Challenge DNN on WebGPU', () => {
  const data = graphChallenge();

  it('sparse path: 30 layers, 1200 images, exactly the 19 true categories', async () => {
    const ctx = await gpuContext();
    const { dnn, input, truth } = data;
    const result = await withErrorScopes(ctx.device, () => runDnnGpu(ctx, dnn, input, { path: 'sparse' }));
    expect(result.categories).toEqual(truth);
    expect(result.y.some(Number.isNaN)).toBe(false);
    expect(result.layerMs).toHaveLength(30);
    expect(result.layerMs.every((ms) => ms >= 0)).toBe(true);
    console.log(`webgpu sparse (${ctx.adapterLabel}, ${result.timerSource}): ${result.seconds.toFixed(3)} s`);
  });

  it('both paths agree with the CPU after 3 layers (values still vary there), on 37 images', async () => {
    const ctx = await gpuContext();
    const three = firstLayers(data.dnn, 3);
    const subset = selectImages(data.input, 100, 37); // 37: not a multiple of any batch tile
    const cpu = runDnnCpu(three, subset, { path: 'sparse' });
    for (const path of ['sparse', 'dense'] as const) {
      const gpu = await withErrorScopes(ctx.device, () => runDnnGpu(ctx, three, subset, { path }));
      expectClose(gpu.y, cpu.y, 1e-5, 1e-5);
      expect(gpu.categories).toEqual(cpu.categories);
    }
  });

  it('dense path: 30 layers on images 287..295 gives the truth there (287 and 295, none between)', async () => {
    const ctx = await gpuContext();
    const first = 286;
    const count = 9; // dense: 63 MFLOP per image over 30 layers, slow on SwiftShader
    const subset = selectImages(data.input, first, count);
    const result = await withErrorScopes(ctx.device, () =>
      runDnnGpu(ctx, data.dnn, subset, { path: 'dense' }),
    );
    const expected = data.truth.filter((i) => i >= first && i < first + count).map((i) => i - first);
    expect(expected).toEqual([0, 8]);
    expect(result.categories).toEqual(expected);
    expect(result.y.some(Number.isNaN)).toBe(false);
    console.log(`webgpu dense, ${count} images: ${result.seconds.toFixed(3)} s`);
  });
});

describe('small random networks on WebGPU', () => {
  // Odd widths (no tile multiples), negative weights; case 1 has a positive bias (every neuron alive) and
  // inputs large enough for the clamp at 32 to bite. Both keep ymax = 32 so that the pipelines compiled
  // for the Graph Challenge are reused (compiling another epilogue costs tens of seconds on SwiftShader).
  for (const [c, { bias, scale }] of [
    { bias: -0.1, scale: 1 },
    { bias: 0.25, scale: 200 },
  ].entries()) {
    it(`case ${c}: widths 37→50→29→64→13, bias ${bias}, inputs ×${scale}`, async () => {
      const ctx = await gpuContext();
      const rng = new Rng(77 + c);
      const widths = [37, 50, 29, 64, 13];
      const layers = widths.slice(1).map((n, l) => {
        const k = widths[l];
        const dense = new Float32Array(n * k).map(() => (rng.next() < 0.2 ? rng.normal() * 0.5 : 0));
        return CsrMatrix.fromDense(dense, n, k); // out×in
      });
      const dnn: SparseDnn = { layers, bias, ymax: 32, names: layers.map((_, l) => `rand-l${l + 1}`) };
      const x = new Float32Array(19 * 37).map(() => (rng.next() < 0.5 ? rng.next() * scale : 0));
      const input = CsrMatrix.fromDense(x, 19, 37);
      const cpu = runDnnCpu(dnn, input, { path: 'dense' });
      if (c === 1) expect(cpu.y.filter((v) => v === 32).length).toBeGreaterThan(10); // the clamp bit
      for (const path of ['sparse', 'dense'] as const) {
        const gpu = await withErrorScopes(ctx.device, () => runDnnGpu(ctx, dnn, input, { path }));
        expectClose(gpu.y, cpu.y, 1e-4, 1e-4);
        expect(gpu.layerMs).toHaveLength(4);
      }
      if (c !== 0) return;
      // The app's way: the dense plan from copies it already holds, yielding after every layer's upload.
      let steps = 0;
      const plan = await DnnGpuPlan.create(ctx, dnn, 'dense', input.rows, {
        dense: layers.map((w) => w.toDense()),
        between: async () => {
          steps++;
        },
      });
      try {
        expectClose((await withErrorScopes(ctx.device, () => plan.run(input))).y, cpu.y, 1e-4, 1e-4);
      } finally {
        plan.dispose();
      }
      expect(steps).toBe(4);
      const wrong = [new Float32Array(3)];
      await expect(DnnGpuPlan.create(ctx, dnn, 'dense', 19, { dense: wrong })).rejects.toThrow(
        'dense copy 1 is not 50×37',
      );
    });
  }
});
