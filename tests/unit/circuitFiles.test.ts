// The tiny pair's committed circuits (scripts/make-circuits.ts): each file's stated circuit loss and
// accuracy hold when re-scored from the file alone, its counts agree with its node lists and the model's
// weights, and the sparse network's circuit has fewer edges than the dense one's.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readCircuitJson } from '../../src/circuit/circuitJson';
import { countEdges } from '../../src/circuit/edges';
import { CircuitEvaluator } from '../../src/circuit/reevaluate';
import { loadHfGpt2 } from '../../src/model/hfGpt2';
import { TASKS } from '../../src/train/tasks';

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
  it('rejects a file for another model shape with a message naming the problem', () => {
    const text = readFileSync(`${dir}/circuits/sparse.quote.json`, 'utf8');
    const other = { ...models.sparse.config, nLayer: 1 };
    expect(() => readCircuitJson(text, other)).toThrow(/no node location "h.1.attn.in"/);
    expect(() => readCircuitJson('{"schema":"x"}', other)).toThrow(/schema/);
  });
});
