import { describe, expect, it } from 'vitest';
import { CsrMatrix } from '../../src/math/csr';
import { Rng } from '../../src/math/rng';
import {
  colCount,
  DenseWeights,
  forEachInCol,
  fractionLabel,
  neuronLabel,
  rowCount,
  validateGraph,
  weightAt,
  weightCounts,
} from '../../src/model/graph';
import { graphFromGpt2 } from '../../src/model/graphGpt2';
import { initGpt2 } from '../../src/model/init';
import { inspectNeuron } from '../../src/scene/inspect';
import { MICRO, microGraphPair } from './sceneFixtures';

describe('graphFromGpt2', () => {
  const config = MICRO;
  const { sparse, dense, model, sparseModel } = microGraphPair(1 / 8, 3, true);

  it('has token, embedding, five layers per block and logits, wired by the block matrices', () => {
    expect(sparse.layers.map((l) => l.id)).toEqual([
      'tokens',
      'embed',
      ...[0, 1].flatMap((b) => ['qkv', 'attn', 'resid_mid', 'mlp', 'resid'].map((s) => `b${b}.${s}`)),
      'logits',
    ]);
    const mlp = dense.layers.find((l) => l.id === 'b1.mlp')!;
    expect(mlp).toMatchObject({
      size: config.dMlp,
      kind: 'mlp',
      group: 'block 1',
      timing: { layer: 1, op: 'mlp' },
    });
    const fc = dense.edges.find((e) => e.to === 'b1.mlp')!;
    expect(fc.from).toBe('b1.resid_mid');
    // Dense edges are views of the model's arrays (no copy), sparse ones its CSR.
    expect(fc.weights).toBeInstanceOf(DenseWeights);
    expect((fc.weights as DenseWeights).data).toBe(model.blocks[1].fc.w);
    expect(sparse.edges.find((e) => e.to === 'b1.mlp')!.weights).toBe(sparseModel.blocks[1].fc.csr);
    expect(() => validateGraph(sparse)).not.toThrow();
  });

  it('leaves the vocabulary out unless an embedding is given, and builds CSR from stored zeros', () => {
    const m = initGpt2(config, { seed: 5 });
    const w = m.blocks[0].qkv.w;
    for (let i = 0; i < w.length; i += 2) w[i] = 0;
    const g = graphFromGpt2(m, { sparse: true });
    expect(g.layers[0]).toMatchObject({ id: 'embed', kind: 'input' });
    expect(g.layers.at(-1)!.id).toBe('b1.resid');
    expect(g.edges[0].weights.nnz).toBe(w.length / 2);
  });

  it('reports the kept fraction of the pruned matrices only', () => {
    const counts = weightCounts(sparse);
    const blockWeights = 2 * (3 * 16 * 16 + 16 * 16 + 2 * 16 * 64);
    expect(counts.dense).toBe(blockWeights);
    expect(counts.nnz / counts.dense).toBeGreaterThanOrEqual(1 / 8);
    expect(fractionLabel(1 / 64)).toBe('1/64');
    expect(fractionLabel(0.0152)).toBe('1/66');
    expect(fractionLabel(0.3)).toBe('30%');
    expect(fractionLabel(1)).toBe('all');
  });

  it('names q/k/v channels by head', () => {
    const qkv = sparse.layers.find((l) => l.id === 'b0.qkv')!;
    expect(neuronLabel(qkv, 0)).toBe('q · head 0 · 0');
    expect(neuronLabel(qkv, 16 + 9)).toBe('k · head 1 · 1');
    expect(neuronLabel(sparse.layers.find((l) => l.id === 'b0.mlp')!, 12)).toBe('MLP 12');
  });

  it('rejects an edge set of the wrong shape', () => {
    const bad = { ...sparse, edges: [{ ...sparse.edges[2], from: 'tokens' }] };
    expect(() => validateGraph(bad)).toThrow(/expected/);
  });
});

describe('edge matrix access', () => {
  it('reads rows, columns and entries the same way for CSR and dense', () => {
    const rng = new Rng(11);
    const data = rng.normalArray(7 * 5);
    for (let i = 0; i < data.length; i += 3) data[i] = 0;
    const csr = CsrMatrix.fromDense(data, 7, 5);
    const dense = new DenseWeights(7, 5, data);
    for (const m of [csr, dense]) {
      expect(m.nnz).toBe(csr.nnz);
      for (let c = 0; c < 5; c++) {
        const col: number[] = [];
        forEachInCol(m, c, (r, v) => col.push(r, v));
        const expected: number[] = [];
        for (let r = 0; r < 7; r++) if (data[r * 5 + c] !== 0) expected.push(r, data[r * 5 + c]);
        expect(col).toEqual(expected);
        expect(colCount(m, c)).toBe(expected.length / 2);
      }
      for (let r = 0; r < 7; r++) {
        expect(rowCount(m, r)).toBe(csr.rowLength(r));
        for (let c = 0; c < 5; c++) expect(weightAt(m, r, c)).toBe(data[r * 5 + c]);
      }
    }
  });
});

describe('inspectNeuron', () => {
  const { sparse, dense } = microGraphPair(1 / 8, 4);

  it('counts fan-in and fan-out from the matrices and compares with the twin', () => {
    const info = inspectNeuron(sparse, 'b0.mlp', 5, { twin: dense });
    const fc = sparse.edges.find((e) => e.to === 'b0.mlp')!.weights as CsrMatrix;
    const proj = sparse.edges.find((e) => e.from === 'b0.mlp')!.weights as CsrMatrix;
    expect(info.fanIn).toBe(fc.rowLength(5));
    let out = 0;
    for (let i = 0; i < proj.nnz; i++) if (proj.colIdx[i] === 5) out++;
    expect(info.fanOut).toBe(out);
    expect(info.twinFanIn).toBe(16);
    expect(info.twinFanOut).toBe(16);
    expect(info.strongestIn.length).toBe(Math.min(6, info.fanIn));
    const mags = info.strongestIn.map((r) => Math.abs(r.w));
    expect(mags).toEqual([...mags].sort((a, b) => b - a));
    expect(info.strongestIn[0].layerId).toBe('b0.resid_mid');
    expect(info.strongestIn[0].w).toBe(weightAt(fc, 5, info.strongestIn[0].index));
    expect(info.strongestOut.every((r) => r.layerId === 'b0.resid')).toBe(true);
  });

  it("reads the selected token's activation and rejects a neuron outside the layer", () => {
    const acts = new Float32Array(3 * 64).map((_, i) => i);
    const info = inspectNeuron(sparse, 'b0.mlp', 7, {
      activations: { tokens: ['a', 'b', 'c'], byLayer: { 'b0.mlp': acts } },
      token: 2,
    });
    expect(info.activation).toBe(2 * 64 + 7);
    expect(inspectNeuron(sparse, 'b0.mlp', 7).activation).toBeNull();
    expect(() => inspectNeuron(sparse, 'b0.mlp', 64)).toThrow(/outside/);
  });
});
