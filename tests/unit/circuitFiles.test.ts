// The tiny pair's committed circuits (scripts/make-circuits.ts): each file's stated circuit loss and
// accuracy hold when re-scored from the file alone, its counts agree with its node lists and the model's
// weights, and the sparse network's circuit has fewer edges than the dense one's.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readCircuitJson } from '../../src/circuit/circuitJson';
import { CircuitCancelled, discoverCircuit } from '../../src/circuit/discover';
import { countEdges } from '../../src/circuit/edges';
import { CircuitEvaluator } from '../../src/circuit/reevaluate';
import { loadHfGpt2 } from '../../src/model/hfGpt2';
import { TASKS } from '../../src/train/tasks';
import { circuitActivations, circuitGraph, circuitNodesAt } from '../../src/ui/circuitScene';

const dir = 'public/models/tiny-pair';
const load = (side: string) =>
  loadHfGpt2(new Uint8Array(readFileSync(`${dir}/${side}.safetensors`)), {
    fileName: `${side}.safetensors`,
    configJson: readFileSync(`${dir}/config.json`, 'utf8'),
  }).weights;
const models = { sparse: load('sparse'), dense: load('dense') };

describe('committed circuits', () => {
  for (const { name: task } of TASKS) {
    it(`${task}: both circuits hold when re-scored from their files`, () => {
      const edges: Record<string, number> = {};
      for (const side of ['sparse', 'dense'] as const) {
        const w = models[side];
        const circuit = readCircuitJson(
          readFileSync(`${dir}/circuits/${side}.${task}.json`, 'utf8'),
          w.config,
        );
        const { json } = circuit;
        expect(json.task).toBe(task);
        expect(json.ablation).toBe('mean');
        let kept = 0;
        for (const v of circuit.keep) kept += v;
        expect(json.nodeCount).toBe(kept);
        expect(json.edges).toBe(countEdges(w, circuit.keep).total);
        const score = new CircuitEvaluator(w, circuit).score();
        expect(score.loss).toBeCloseTo(json.loss.circuit, 6);
        expect(score.accuracy).toBe(json.accuracy.circuit);
        expect(json.loss.circuit).toBeLessThanOrEqual(json.targetLoss);
        edges[side] = json.edges;
      }
      expect(edges.sparse).toBeLessThan(edges.dense);
    });
  }
  it('draws exactly the circuit: the scene graph has its edges and lights its nodes', () => {
    for (const side of ['sparse', 'dense'] as const) {
      const w = models[side];
      const circuit = readCircuitJson(readFileSync(`${dir}/circuits/${side}.quote.json`, 'utf8'), w.config);
      const graph = circuitGraph(w, circuit, side);
      const drawn = graph.edges.reduce((sum, e) => sum + e.weights.nnz, 0);
      expect(drawn).toBe(circuit.json.edges);
      const lit = circuitActivations(w, circuit, graph).byLayer;
      const mlp = circuit.json.nodes['h.1.mlp.neuron'];
      expect([...lit['b1.mlp'].keys()].filter((i) => lit['b1.mlp'][i] > 0)).toEqual(mlp);
      // b0.resid_mid carries block 0's attn.out and mlp.in: a neuron is lit when either is kept.
      const mid = new Set([...circuit.json.nodes['h.0.attn.out'], ...circuit.json.nodes['h.0.mlp.in']]);
      expect(lit['b0.resid_mid'].reduce((n, v) => n + v, 0)).toBe(mid.size);
      expect(circuitNodesAt(w, circuit, 'b1.mlp', mlp[0])).toEqual([
        { flat: expect.any(Number), name: `h.1.mlp.neuron[${mlp[0]}]` },
      ]);
    }
  });

  it('stops between steps when cancelled, after reporting progress', async () => {
    const seen: string[] = [];
    let ticks = 0;
    const run = discoverCircuit(models.sparse, {
      task: 'quote',
      trainExamples: 16,
      evalExamples: 16,
      onProgress: (_, what) => seen.push(what),
      tick: async () => {
        ticks++;
      },
      cancelled: () => ticks >= 3,
    });
    await expect(run).rejects.toBeInstanceOf(CircuitCancelled);
    expect(ticks).toBe(3);
    expect(seen).toContain('preparing the examples');
  });

  it('rejects a file for another model shape with a message naming the problem', () => {
    const text = readFileSync(`${dir}/circuits/sparse.quote.json`, 'utf8');
    const other = { ...models.sparse.config, nLayer: 1 };
    expect(() => readCircuitJson(text, other)).toThrow(/no node location "h.1.attn.in"/);
    expect(() => readCircuitJson('{"schema":"x"}', other)).toThrow(/schema/);
  });
});
