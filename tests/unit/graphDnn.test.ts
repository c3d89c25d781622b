import { describe, expect, it } from 'vitest';
import { CsrMatrix } from '../../src/math/csr';
import { runDnnCpu } from '../../src/math/dnn';
import { Rng } from '../../src/math/rng';
import type { SparseDnn } from '../../src/model/dnn';
import { DenseWeights, weightAt, weightCounts } from '../../src/model/graph';
import {
  DNN_INPUT_ID,
  dnnLayerActivations,
  dnnLayerId,
  dnnTimings,
  graphFromDnn,
} from '../../src/model/graphDnn';
import { anchorTime, summarizeTimings } from '../../src/scene/timingModel';

/** Random layered network: widths[0] inputs, then one layer per further width, `perRow` nonzeros a row. */
function randomDnn(rng: Rng, widths: number[], perRow: number): SparseDnn {
  const layers: CsrMatrix[] = [];
  for (let l = 1; l < widths.length; l++) {
    const [k, n] = [widths[l - 1], widths[l]];
    const dense = new Float32Array(n * k);
    for (let r = 0; r < n; r++) {
      for (let e = 0; e < perRow; e++) dense[r * k + rng.int(k)] = 0.1 + 0.4 * rng.next(); // positive: rows survive
    }
    layers.push(CsrMatrix.fromDense(dense, n, k));
  }
  return { layers, bias: -0.3, ymax: 32, names: layers.map((_, l) => `w-l${l + 1}.mtx`) };
}

function randomImages(rng: Rng, count: number, width: number, density: number): CsrMatrix {
  const dense = new Float32Array(count * width);
  for (let i = 0; i < dense.length; i++) if (rng.next() < density) dense[i] = 1;
  return CsrMatrix.fromDense(dense, count, width);
}

describe('graphFromDnn', () => {
  const rng = new Rng(7);
  const dnn = randomDnn(rng, [48, 40, 40, 36, 32], 6);

  it('has an input layer and one timed layer per weight matrix, with the CSR as edges', () => {
    const g = graphFromDnn(dnn, { sparse: true, title: 'Test DNN' });
    expect(g.title).toBe('Test DNN');
    expect(g.layers.map((l) => l.id)).toEqual([DNN_INPUT_ID, 'l1', 'l2', 'l3', 'l4']);
    expect(g.layers.map((l) => l.size)).toEqual([48, 40, 40, 36, 32]);
    expect(g.layers.map((l) => l.kind)).toEqual(['input', 'mlp', 'mlp', 'mlp', 'output']);
    expect(g.layers.map((l) => l.name)).toEqual(['pixels', 'layer 1', 'layer 2', 'layer 3', 'layer 4']);
    expect(g.layers[0].timing).toBeUndefined();
    expect(g.layers.slice(1).map((layer) => layer.timing)).toEqual(
      dnn.layers.map((_, l) => ({ layer: l, op: 'dnn' })),
    );
    expect(g.edges.map((e) => `${e.from}>${e.to}`)).toEqual(['input>l1', 'l1>l2', 'l2>l3', 'l3>l4']);
    for (const [l, e] of g.edges.entries()) expect(e.weights).toBe(dnn.layers[l]); // shared, not copied
    const counts = weightCounts(g);
    expect(counts.nnz).toBe(dnn.layers.reduce((s, w) => s + w.nnz, 0));
    expect(counts.dense).toBe(40 * 48 + 40 * 40 + 36 * 40 + 32 * 36);
  });

  it('the dense twin stores the same weights densely, zeros included', () => {
    const g = graphFromDnn(dnn, { sparse: false });
    expect(g.title).toBe('Dense storage (same weights)');
    g.edges.forEach((e, l) => {
      const w = dnn.layers[l];
      expect(e.weights).toBeInstanceOf(DenseWeights);
      expect([e.weights.rows, e.weights.cols]).toEqual([w.rows, w.cols]);
      expect(e.weights.nnz).toBe(w.nnz);
      for (let r = 0; r < w.rows; r++) {
        for (let c = 0; c < w.cols; c++) expect(weightAt(e.weights, r, c)).toBe(weightAt(w, r, c));
      }
    });
  });

  it("per-layer timings anchor to every layer of both networks, each at its own layer's time", () => {
    const sparseMs = dnn.layers.map((_, l) => 0.5 + l);
    const denseMs = dnn.layers.map((_, l) => 10 + 2 * l);
    const summary = summarizeTimings([
      ...dnnTimings(sparseMs, 'sparse', 'gpu-timestamp'),
      ...dnnTimings(denseMs, 'dense', 'wall'),
    ]);
    for (const sparse of [true, false]) {
      const g = graphFromDnn(dnn, { sparse });
      const timed = g.layers.filter((l) => l.timing);
      expect(timed).toHaveLength(dnn.layers.length);
      timed.forEach((layer, l) => {
        expect(anchorTime(summary.sparse, layer.timing!)!.ms).toBe(sparseMs[l]);
        expect(anchorTime(summary.dense, layer.timing!)!.ms).toBe(denseMs[l]);
      });
    }
    expect(summary.sparse.totalMs).toBeCloseTo(sparseMs.reduce((a, b) => a + b));
    expect(summary.speedup).toBeCloseTo(denseMs.reduce((a, b) => a + b) / sparseMs.reduce((a, b) => a + b));
  });
});

describe('dnnLayerActivations', () => {
  it("gives every layer's activations for the chosen images; the last layer matches runDnnCpu", () => {
    const rng = new Rng(11);
    const dnn = randomDnn(rng, [64, 48, 48, 40], 5);
    const input = randomImages(rng, 12, 64, 0.25);
    const images = [3, 0, 11];
    const acts = dnnLayerActivations(dnn, input, images, ['img 4', 'img 1', 'img 12']);
    expect(acts.tokens).toEqual(['img 4', 'img 1', 'img 12']);
    expect(Object.keys(acts.byLayer)).toEqual([DNN_INPUT_ID, 'l1', 'l2', 'l3']);
    const pixels = input.toDense();
    images.forEach((img, t) => {
      expect([...acts.byLayer.input.subarray(t * 64, (t + 1) * 64)]).toEqual([
        ...pixels.subarray(img * 64, (img + 1) * 64),
      ]);
    });
    let lit = 0;
    for (const path of ['sparse', 'dense'] as const) {
      const { y } = runDnnCpu(dnn, input, { path });
      const last = acts.byLayer[dnnLayerId(2)];
      images.forEach((img, t) => {
        for (let j = 0; j < 40; j++) {
          const want = y[img * 40 + j];
          expect(Math.abs(last[t * 40 + j] - want)).toBeLessThanOrEqual(1e-5 * (1 + want));
          if (want !== 0) lit++;
        }
      });
    }
    expect(lit).toBeGreaterThan(0); // a test where everything died would prove little
    expect(() => dnnLayerActivations(dnn, input, [12], ['img 13'])).toThrow(/not a row/);
  });
});
