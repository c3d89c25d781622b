import { describe, expect, it } from 'vitest';
import { CsrMatrix } from '../../src/math/csr';
import { Rng } from '../../src/math/rng';
import { DenseWeights, forEachInRow, type NetworkGraph } from '../../src/model/graph';
import { orderByBarycenter } from '../../src/scene/barycenter';
import { autoGain, buildEdgeBuffers, edgesTouching, strongestFirst } from '../../src/scene/edges';
import { layoutNetwork, neuronScores, nodeId, type Selection, selectNeurons } from '../../src/scene/layout';
import { microGraphPair } from './sceneFixtures';

/** in (4) → hidden (100) → out (3); hidden neuron 42 is a hub, neuron 7 has the largest weights. */
function hubGraph(): NetworkGraph {
  const w1 = new Float32Array(100 * 4);
  for (let i = 0; i < 4; i++) w1[42 * 4 + i] = 0.1; // 4 edges into 42
  w1[7 * 4] = 5; // one big edge into 7
  for (let h = 0; h < 100; h++) if (h !== 42 && h !== 7 && h % 10 === 0) w1[h * 4 + 1] = 0.2;
  const w2 = new Float32Array(3 * 100);
  w2[0 * 100 + 42] = 0.3;
  return {
    title: 'hub',
    layers: [
      { id: 'in', name: 'in', group: 'g', size: 4, kind: 'input' },
      { id: 'hidden', name: 'hidden', group: 'g', size: 100, kind: 'mlp' },
      { id: 'out', name: 'out', group: 'g', size: 3, kind: 'output' },
    ],
    edges: [
      { from: 'in', to: 'hidden', weights: CsrMatrix.fromDense(w1, 100, 4) },
      { from: 'hidden', to: 'out', weights: CsrMatrix.fromDense(w2, 3, 100) },
    ],
  };
}

describe('selectNeurons', () => {
  it('shows every neuron of small layers and the most connected of large ones, ascending', () => {
    const sel = selectNeurons(hubGraph(), { perLayer: 5 });
    expect([...sel.get('in')!]).toEqual([0, 1, 2, 3]);
    expect([...sel.get('out')!]).toEqual([0, 1, 2]);
    const hidden = [...sel.get('hidden')!];
    expect(hidden).toHaveLength(5);
    expect(hidden).toContain(42); // degree 5 beats everything
    expect(hidden).toEqual([...hidden].sort((a, b) => a - b));
    // Degree-1 neurons tie; Σ|w| breaks the tie: 7 (|w| = 5) is next.
    expect(hidden).toContain(7);
  });

  it('prefers the most active neurons when activations are given (max |a| over tokens)', () => {
    const acts = new Float32Array(2 * 100);
    acts[3] = -9; // token 0, neuron 3
    acts[100 + 99] = 4; // token 1, neuron 99
    const sel = selectNeurons(hubGraph(), {
      perLayer: 2,
      activations: { tokens: ['a', 'b'], byLayer: { hidden: acts } },
    });
    expect([...sel.get('hidden')!]).toEqual([3, 99]);
    expect(
      [...neuronScores(hubGraph(), 'hidden', { tokens: ['a', 'b'], byLayer: { hidden: acts } })][3],
    ).toBe(9);
  });

  it('keeps pinned neurons and expands a layer up to the cap', () => {
    const pinned = new Map([['hidden', [55]]]);
    expect([...selectNeurons(hubGraph(), { perLayer: 2, pinned }).get('hidden')!]).toContain(55);
    const expanded = new Set(['hidden']);
    expect(selectNeurons(hubGraph(), { perLayer: 2, expanded }).get('hidden')!.length).toBe(100);
    expect(selectNeurons(hubGraph(), { perLayer: 2, expanded, maxExpanded: 30 }).get('hidden')!.length).toBe(
      30,
    );
  });
});

describe('layoutNetwork', () => {
  const { sparse, dense } = microGraphPair(1 / 8);
  const selection = selectNeurons(sparse, { perLayer: 12 });

  it('places one node per displayed neuron, layer by layer up the y axis', () => {
    const layout = layoutNetwork(sparse, { selection, offsetX: 0 });
    const total = [...selection.values()].reduce((s, ids) => s + ids.length, 0);
    expect(layout.count).toBe(total);
    let lastY = Number.NEGATIVE_INFINITY;
    for (const p of layout.layers) {
      expect(p.y).toBeGreaterThan(lastY);
      lastY = p.y;
      for (let i = 0; i < p.indices.length; i++) {
        const node = p.nodeOffset + i;
        expect(layout.positions[3 * node + 1]).toBeCloseTo(p.y, 5);
        expect(layout.nodeLayer[node]).toBe(p.layerIndex);
        expect(layout.nodeNeuron[node]).toBe(p.indices[i]);
        expect(nodeId(layout, p.layerIndex, p.indices[i])).toBe(node);
      }
    }
    // A hidden neuron has no node.
    const mlp = layout.layers.find((p) => p.id === 'b0.mlp')!;
    const hiddenNeuron = [...Array(64).keys()].find((n) => !mlp.indices.includes(n))!;
    expect(nodeId(layout, mlp.layerIndex, hiddenNeuron)).toBe(-1);
  });

  it('gives both networks the same layout, shifted by the offset', () => {
    const a = layoutNetwork(sparse, { selection, offsetX: -5 });
    const b = layoutNetwork(dense, { selection, offsetX: 5 });
    expect(b.count).toBe(a.count);
    for (let i = 0; i < a.count; i++) {
      expect(b.positions[3 * i] - a.positions[3 * i]).toBeCloseTo(10, 5);
      expect(b.positions[3 * i + 1]).toBe(a.positions[3 * i + 1]);
      expect(b.positions[3 * i + 2]).toBe(a.positions[3 * i + 2]);
    }
    // Rows are centred on the offset.
    const row = a.layers[0];
    let sum = 0;
    for (let i = 0; i < row.indices.length; i++) sum += a.positions[3 * (row.nodeOffset + i)];
    expect(sum / row.indices.length).toBeCloseTo(-5, 5);
  });

  it('wraps an expanded layer into rows going back in z, inside the bounds', () => {
    const wide = selectNeurons(sparse, { perLayer: 12, expanded: new Set(['b0.mlp']) });
    const layout = layoutNetwork(sparse, { selection: wide, offsetX: 0, rowCap: 20 });
    const mlp = layout.layers.find((p) => p.id === 'b0.mlp')!;
    const zs = new Set<number>();
    for (let i = 0; i < mlp.indices.length; i++) zs.add(layout.positions[3 * (mlp.nodeOffset + i) + 2]);
    expect(zs.size).toBe(Math.ceil(64 / 20));
    const { min, max } = layout.bounds;
    for (let i = 0; i < layout.count; i++) {
      for (let c = 0; c < 3; c++) {
        expect(layout.positions[3 * i + c]).toBeGreaterThanOrEqual(min[c] - 1e-6);
        expect(layout.positions[3 * i + c]).toBeLessThanOrEqual(max[c] + 1e-6);
      }
    }
  });

  it('throws when the selection misses a layer', () => {
    expect(() => layoutNetwork(sparse, { selection: new Map(), offsetX: 0 })).toThrow(/no entry/);
  });
});

describe('orderByBarycenter', () => {
  it('gives the order it always has on the micro pair (pinned: the 2026-11 speed-up kept it exact)', () => {
    const { sparse } = microGraphPair(1 / 8);
    const ordered = orderByBarycenter(sparse, selectNeurons(sparse, { perLayer: 12 }));
    expect([...ordered.get('b0.mlp')!]).toEqual([6, 24, 30, 11, 10, 41, 37, 61, 54, 56, 60, 63]);
    expect([...ordered.get('b1.qkv')!]).toEqual([8, 37, 35, 4, 0, 42, 18, 36, 39, 44, 43, 27]);
    expect([...ordered.get('b1.resid')!]).toEqual([0, 14, 2, 1, 11, 5, 7, 12, 4, 13, 10, 3]);
  });

  it('keeps each layer the same set and untangles a reversed matching', () => {
    // a (8) → b (8) with a[i] → b[7 - i]: in index order every pair of edges crosses.
    const n = 8;
    const w = new Float32Array(n * n);
    for (let i = 0; i < n; i++) w[(n - 1 - i) * n + i] = 1;
    const graph: NetworkGraph = {
      title: 't',
      layers: [
        { id: 'a', name: 'a', group: 'g', size: n, kind: 'resid' },
        { id: 'b', name: 'b', group: 'g', size: n, kind: 'resid' },
      ],
      edges: [{ from: 'a', to: 'b', weights: CsrMatrix.fromDense(w, n, n) }],
    };
    const all = Uint32Array.from({ length: n }, (_, i) => i);
    const selection: Selection = new Map([
      ['a', all],
      ['b', all],
    ]);
    const ordered = orderByBarycenter(graph, selection);
    for (const id of ['a', 'b']) expect([...ordered.get(id)!].sort((x, y) => x - y)).toEqual([...all]);
    const posA = new Map([...ordered.get('a')!].map((v, k) => [v, k]));
    const posB = new Map([...ordered.get('b')!].map((v, k) => [v, k]));
    let crossings = 0;
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const di = posA.get(i)! - posA.get(j)!;
        const dj = posB.get(n - 1 - i)! - posB.get(n - 1 - j)!;
        if (di * dj < 0) crossings++;
      }
    }
    expect(crossings).toBe(0);
  });
});

describe('buildEdgeBuffers', () => {
  const { sparse, dense } = microGraphPair(1 / 8);
  const selection = selectNeurons(sparse, { perLayer: 10 });

  /** Brute force: every stored weight whose both neurons are on screen. */
  function expectedEdges(graph: NetworkGraph): number {
    let n = 0;
    for (const e of graph.edges) {
      const src = new Set(selection.get(e.from));
      for (const row of selection.get(e.to)!) forEachInRow(e.weights, row, (c) => src.has(c) && n++);
    }
    return n;
  }

  it('draws exactly the stored weights between displayed neurons, strongest first', () => {
    for (const graph of [sparse, dense]) {
      const layout = layoutNetwork(graph, { selection, offsetX: 0 });
      const buffers = buildEdgeBuffers(graph, layout, { gain: 1 });
      expect(buffers.count).toBe(expectedEdges(graph));
      for (let i = 1; i < buffers.count; i++) {
        expect(Math.abs(buffers.weight[i - 1])).toBeGreaterThanOrEqual(Math.abs(buffers.weight[i]));
      }
      // Segment ends sit on the nodes they join.
      for (let i = 0; i < buffers.count; i += 17) {
        for (let c = 0; c < 3; c++) {
          expect(buffers.positions[6 * i + c]).toBe(layout.positions[3 * buffers.from[i] + c]);
          expect(buffers.positions[6 * i + 3 + c]).toBe(layout.positions[3 * buffers.to[i] + c]);
        }
      }
    }
    expect(dense.edges[0].weights).toBeInstanceOf(DenseWeights);
    expect(expectedEdges(sparse)).toBeLessThan(expectedEdges(dense));
  });

  it('finds every edge of a node', () => {
    const layout = layoutNetwork(sparse, { selection, offsetX: 0 });
    const buffers = buildEdgeBuffers(sparse, layout, { gain: 1 });
    const node = buffers.to[0];
    const hits = edgesTouching(buffers, node);
    let expected = 0;
    for (let i = 0; i < buffers.count; i++)
      if (buffers.from[i] === node || buffers.to[i] === node) expected++;
    expect(hits.length).toBe(expected);
    expect(hits.length).toBeGreaterThan(0);
  });
});

describe('autoGain', () => {
  const { sparse, dense } = microGraphPair(1 / 8);
  const selection = selectNeurons(sparse, { perLayer: 12 });
  const gains = (graph: NetworkGraph, rowCap = 64) => {
    const layout = layoutNetwork(graph, { selection, offsetX: 0, rowCap });
    return { layout, gains: autoGain(buildEdgeBuffers(graph, layout, { gain: 1 }), layout) };
  };

  it('gives each gap light in inverse proportion to its lines per node spacing and their flatness', () => {
    const { layout, gains: g } = gains(dense);
    expect(g).toHaveLength(layout.layers.length);
    const edges = buildEdgeBuffers(dense, layout, { gain: 1 });
    const p = edges.positions;
    layout.layers.forEach((placement, k) => {
      let into = 0;
      let dx = 0;
      let dy = 0;
      for (let e = 0; e < edges.count; e++) {
        if (layout.nodeLayer[edges.to[e]] !== k) continue;
        into++;
        dx += Math.abs(p[6 * e + 3] - p[6 * e]);
        dy += Math.abs(p[6 * e + 4] - p[6 * e + 1]);
      }
      const flatness = Math.max(1, dx / dy);
      const expected =
        into === 0 ? 1 : Math.min(0.45, Math.max(0.004, (12 * placement.indices.length) / (into * flatness)));
      expect(g[k]).toBeCloseTo(expected, 6);
    });
    // No gap of the dense twin (same layout, more lines) is brighter than the sparse one's.
    const s = gains(sparse).gains;
    for (const [k, gain] of g.entries()) expect(gain).toBeLessThanOrEqual(s[k]);
  });

  it('counts the neurons across a row, not behind each other, when a layer wraps into rows', () => {
    const one = gains(dense, 64).gains;
    const wrapped = gains(dense, 4).gains; // 12 neurons → 3 rows of 4
    expect(Math.min(...wrapped)).toBeLessThan(Math.min(...one));
  });
});

describe('strongestFirst', () => {
  it('orders by descending |w|, ties by index, like a comparator sort', () => {
    const w = new Float32Array([0.5, -2, 0, 2, -0.5, 1e-30, -1e-30, 3.5, 0]);
    expect([...strongestFirst(w)]).toEqual([7, 1, 3, 0, 4, 5, 6, 2, 8]);
    const rng = new Rng(7);
    const big = Float32Array.from({ length: 5000 }, () => Math.round((rng.next() - 0.5) * 40) / 8); // ties
    const expected = [...big.keys()].sort((a, b) => Math.abs(big[b]) - Math.abs(big[a]) || a - b);
    expect([...strongestFirst(big)]).toEqual(expected);
  });
});
