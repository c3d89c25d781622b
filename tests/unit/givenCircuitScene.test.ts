// The release's circuit (viz_data.pt node lists) drawn on its model: every hook location lights the right
// graph neurons (attention width n_head·d_head ≠ d_model here) and the kept edges are exactly the nonzero
// weights between kept nodes of the four matrices viz.py draws.
import { describe, expect, it } from 'vitest';
import type { VizCircuit } from '../../src/formats/vizData';
import { attentionWidth } from '../../src/math/arch';
import { givenCircuitScene } from '../../src/ui/givenCircuitScene';
import { randomCspModel } from '../cspFixtures';

describe('givenCircuitScene', () => {
  const weights = randomCspModel({}, 7);
  const { dModel: d, dMlp: m } = weights.config;
  const a = attentionWidth(weights.config);
  const nodes: Record<string, number[]> = {
    '0.attn.act_in': [0, 5],
    '0.attn.q': [1],
    '0.attn.k': [a - 1],
    '0.attn.v': [2, a - 1],
    '0.attn.resid_delta': [3, d - 1],
    '0.mlp.act_in': [3],
    '0.mlp.post_act': [0, m - 1],
    '0.mlp.resid_delta': [4],
    '1.attn.act_in': [4],
    final_resid: [9],
  };
  const viz: VizCircuit = {
    fileName: 'viz_data.pt',
    nodes: new Map(Object.entries(nodes)),
    nodeCount: Object.values(nodes).flat().length,
    totalNodes: null,
    loss: null,
    circuitLoss: null,
    pairCount: 0,
  };

  it('lights the neurons of every location', () => {
    expect(a).not.toBe(d);
    const scene = givenCircuitScene(weights, viz, 'circuit');
    const lit = (id: string) =>
      [...scene.activations.byLayer[id]].flatMap((x, i) => (x > 0 ? [i] : [])).sort((x, y) => x - y);
    expect(lit('embed')).toEqual([0, 5]);
    expect(lit('b0.qkv')).toEqual([1, 2 * a - 1, 2 * a + 2, 3 * a - 1]);
    expect(lit('b0.attn')).toEqual([2, a - 1]);
    expect(lit('b0.resid_mid')).toEqual([3, d - 1]);
    expect(lit('b0.mlp')).toEqual([0, m - 1]);
    expect(lit('b0.resid')).toEqual([4]);
    expect(lit('b1.qkv')).toEqual([]);
    expect(lit('b1.resid')).toEqual([9]);
    expect(scene.totalNodes).toBe(2 * (4 * d + 3 * a + m) + d);
  });

  it('keeps exactly the nonzero weights between kept nodes', () => {
    const count = (w: Float32Array, k: number, rows: number[], cols: number[]) =>
      rows.reduce((s, r) => s + cols.filter((c) => w[r * k + c] !== 0).length, 0);
    const b = weights.blocks[0];
    const qkvRows = [1, 2 * a - 1, 2 * a + 2, 3 * a - 1];
    const expected =
      count(b.qkv.w, b.qkv.k, qkvRows, [0, 5]) +
      count(b.attnProj.w, b.attnProj.k, [3, d - 1], [2, a - 1]) +
      count(b.fc.w, b.fc.k, [0, m - 1], [3]) +
      count(b.fcProj.w, b.fcProj.k, [4], [0, m - 1]);
    const scene = givenCircuitScene(weights, viz, 'circuit');
    expect(expected).toBeGreaterThan(0);
    expect(scene.edges).toBe(expected);
    const all = weights.blocks.flatMap((x) => [x.qkv, x.attnProj, x.fc, x.fcProj]);
    expect(scene.totalEdges).toBe(all.reduce((s, l) => s + l.w.filter((x) => x !== 0).length, 0));
  });
});
