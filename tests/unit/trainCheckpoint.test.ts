// Checkpoints: what the trainer writes loads through the app's HF loader unchanged (zeros included), and
// the committed tiny pair in public/models/tiny-pair loads, keeps its sparsity, and reaches exactly the
// accuracy documented in its metrics.json on the fixed held-out subset, through forwardCpu (the dense
// model on the dense path, the sparse one on its CSR path, as the app runs them).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadHfGpt2 } from '../../src/model/hfGpt2';
import { initGpt2 } from '../../src/model/init';
import { sparsifyModel } from '../../src/model/sparsify';
import { linearsOf } from '../../src/model/weights';
import { hfConfigJson, toHfSafetensors } from '../../src/train/checkpoint';
import { answerLogitsCpu, scoreTasks, type TaskScore } from '../../src/train/evaluate';
import { namedParams } from '../../src/train/params';
import { pruneWeights } from '../../src/train/sparseSchedule';
import { HELD_OUT_SEED, heldOutSet, TASKS, VOCAB } from '../../src/train/tasks';

describe('toHfSafetensors', () => {
  const config = { nLayer: 2, nHead: 2, dModel: 12, dMlp: 20, nCtx: 9, vocabSize: 11, layerNormEps: 1e-5 };

  it('F32 round-trips exactly through loadHfGpt2, and the zeros give the same CSR pattern', () => {
    const weights = initGpt2(config, { seed: 4, std: 0.2 });
    pruneWeights(weights, 1 / 6, 2);
    const { weights: back, warnings } = loadHfGpt2(toHfSafetensors(weights), {
      configJson: hfConfigJson(config),
    });
    expect(warnings).toEqual([]);
    expect(back.config).toEqual(config);
    const a = namedParams(weights);
    namedParams(back).forEach((p, i) => {
      expect(Array.from(p.data), p.name).toEqual(Array.from(a[i].data));
    });
    const twin = sparsifyModel(back, { density: 'exact' });
    for (const [name, lin] of linearsOf(twin)) {
      const orig = [...linearsOf(weights)].find(([n]) => n === name)?.[1];
      const nonzero = orig ? Array.from(orig.w).filter((v) => v !== 0).length : -1;
      expect(lin.csr?.nnz, name).toBe(nonzero);
      expect(nonzero).toBe(Math.max(Math.ceil((lin.n * lin.k) / 6), 2 * lin.n));
    }
  });

  it('F16 loads to within half precision and is half the size', () => {
    const weights = initGpt2(config, { seed: 5 });
    const f32 = toHfSafetensors(weights, 'F32');
    const f16 = toHfSafetensors(weights, 'F16');
    expect(f16.length).toBeLessThan(0.6 * f32.length);
    const back = loadHfGpt2(f16, { configJson: hfConfigJson(config) }).weights;
    for (let i = 0; i < weights.wte.length; i++) expect(back.wte[i]).toBeCloseTo(weights.wte[i], 3);
  });
});

describe('the committed tiny pair (public/models/tiny-pair)', () => {
  const dir = new URL('../../public/models/tiny-pair/', import.meta.url);
  const read = (name: string) => readFileSync(new URL(name, dir));
  const configJson = read('config.json').toString('utf8');
  const vocab = JSON.parse(read('vocab.json').toString('utf8')) as { vocabulary: string };
  const metrics = JSON.parse(read('metrics.json').toString('utf8')) as {
    runs: Record<
      'dense' | 'sparse',
      {
        testSubsetScores: TaskScore[];
        nonzero: { kept: number; total: number };
        sparse: { targetDensity: number; minPerNeuron: number } | null;
      }
    >;
    testSubset: { perTask: number; sparseCsrNnz: number };
  };
  const load = (name: string) => {
    const bytes = new Uint8Array(read(name));
    expect(bytes.length).toBeLessThan(1_000_000);
    return loadHfGpt2(bytes, { fileName: name, configJson }).weights;
  };
  const dense = load('dense.safetensors');
  const sparse = load('sparse.safetensors');
  const subset = heldOutSet(HELD_OUT_SEED, metrics.testSubset.perTask);

  it('uses the vocabulary of src/train/tasks.ts; the sparse model keeps ≤ 1/32 of its block weights', () => {
    const minPerNeuron = metrics.runs.sparse.sparse?.minPerNeuron ?? Number.NaN;
    expect(minPerNeuron).toBeGreaterThanOrEqual(1);
    expect(vocab.vocabulary).toBe(VOCAB);
    expect(dense.config.vocabSize).toBe(VOCAB.length);
    expect(sparse.config).toEqual(dense.config);
    let nonzero = 0;
    let total = 0;
    for (const [name, lin] of linearsOf(sparse)) {
      for (let r = 0; r < lin.n; r++) {
        let row = 0;
        for (let c = 0; c < lin.k; c++) if (lin.w[r * lin.k + c] !== 0) row++;
        expect(row, `${name} row ${r}`).toBeGreaterThanOrEqual(minPerNeuron);
        nonzero += row;
      }
      total += lin.n * lin.k;
    }
    expect(nonzero).toBe(metrics.runs.sparse.nonzero.kept);
    expect(nonzero / total).toBeLessThanOrEqual(1 / 32);
    const twin = sparsifyModel(sparse, { density: 'exact' });
    expect(twin.sparsity?.matrices.reduce((s, m) => s + m.kept, 0)).toBe(nonzero);
    expect(metrics.testSubset.sparseCsrNnz).toBe(nonzero);
  });

  it('reaches the documented held-out accuracy through forwardCpu (dense path / CSR path)', {
    timeout: 30_000,
  }, () => {
    const got = {
      dense: scoreTasks(answerLogitsCpu(dense, subset, 'dense'), subset),
      sparse: scoreTasks(
        answerLogitsCpu(sparsifyModel(sparse, { density: 'exact' }), subset, 'sparse'),
        subset,
      ),
    };
    for (const run of ['dense', 'sparse'] as const) {
      const documented = metrics.runs[run].testSubsetScores;
      for (const info of TASKS) {
        const g = got[run].find((s) => s.task === info.name);
        const d = documented.find((s) => s.task === info.name);
        expect(g?.n, `${run} ${info.name}`).toBe(d?.n);
        // Equal to the documented numbers; one example of slack per task, so that a change in
        // matmulFast's rounding flipping a borderline answer does not fail the suite (rerun
        // `scripts/train.ts --run summary` then).
        const slack = 1 / (d?.n ?? 1) + 1e-12;
        expect(Math.abs((g?.accuracy ?? 0) - (d?.accuracy ?? 1)), `${run} ${info.name}`).toBeLessThanOrEqual(
          slack,
        );
        expect(
          Math.abs((g?.binaryAccuracy ?? 0) - (d?.binaryAccuracy ?? 1)),
          `${run} ${info.name}`,
        ).toBeLessThanOrEqual(slack);
        // Well above chance (50%) on every task.
        expect(g?.accuracy ?? 0, `${run} ${info.name}`).toBeGreaterThan(info.chance + 0.3);
      }
    }
  });
});
