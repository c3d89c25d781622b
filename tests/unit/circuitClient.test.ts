// The circuit client over the worker RPC (src/engine/rpc.ts), with the runner inline: cancel stops the
// search in flight with CircuitCancelledError after progress arrived, a search without a model fails with
// a message naming the problem, and a one-node effect equals the evaluator's own numbers.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readCircuitJson } from '../../src/circuit/circuitJson';
import { CircuitEvaluator } from '../../src/circuit/reevaluate';
import { InlineRpc } from '../../src/engine/rpc';
import { loadHfGpt2 } from '../../src/model/hfGpt2';
import { CircuitCancelledError, CircuitClient } from '../../src/ui/circuitClient';
import { type CircuitApi, CircuitRunner } from '../../src/ui/circuitRunner';
import { circuitNodesAt } from '../../src/ui/circuitScene';

const dir = 'public/models/tiny-pair';
const weights = loadHfGpt2(new Uint8Array(readFileSync(`${dir}/sparse.safetensors`)), {
  fileName: 'sparse.safetensors',
  configJson: readFileSync(`${dir}/config.json`, 'utf8'),
}).weights;
const inline = () => () => new InlineRpc<CircuitApi>(new CircuitRunner(), 'circuit worker');

describe('CircuitClient over the worker RPC', () => {
  it('cancel stops the search in flight with CircuitCancelledError', async () => {
    const client = new CircuitClient(inline());
    client.setModel('sparse', weights, 'tiny (sparse)');
    const seen: string[] = [];
    const run = client.find('sparse', 'quote', 'mean', (_, what) => {
      seen.push(what);
      client.cancel();
    });
    await expect(run).rejects.toBeInstanceOf(CircuitCancelledError);
    expect(seen.length).toBeGreaterThan(0);
  });

  it('a search without a model fails with a message naming the problem', async () => {
    const client = new CircuitClient(inline());
    const run = client.find('dense', 'quote', 'mean', () => {});
    await expect(run).rejects.toThrow('no dense model loaded in the circuit worker');
    await expect(run).rejects.not.toBeInstanceOf(CircuitCancelledError);
  });

  it("a node's effect equals the evaluator's scores", async () => {
    const text = readFileSync(`${dir}/circuits/sparse.quote.json`, 'utf8');
    const loaded = readCircuitJson(text, weights.config);
    const client = new CircuitClient(inline());
    client.setModel('sparse', weights, 'tiny (sparse)');
    const neuron = loaded.json.nodes['h.0.mlp.neuron'][0];
    const [{ flat }] = circuitNodesAt(weights, loaded, 'b0.mlp', neuron);
    const effect = await client.effect('sparse', 'quote', loaded.json, flat);
    const evaluator = new CircuitEvaluator(weights, loaded);
    expect(effect).toEqual({ loss: evaluator.score().loss, without: evaluator.without(flat).loss });
    expect(effect.without).not.toBe(effect.loss);
  });
});
