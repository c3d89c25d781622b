// The view state in the URL (round trip, bad values named), finding a neuron by name, and the
// unembedding as a layer of the graph.
import { describe, expect, it } from 'vitest';
import { CsrMatrix } from '../../src/math/csr';
import { graphFromDnn } from '../../src/model/graphDnn';
import { graphFromGpt2 } from '../../src/model/graphGpt2';
import { findNeuron } from '../../src/scene/findNeuron';
import { readViewState, writeViewState } from '../../src/ui/tools/urlState';
import { readAppParams } from '../../src/ui/urlParams';
import { MICRO, microGraphPair } from './sceneFixtures';

describe('URL view state', () => {
  it('round-trips model, prompt, density, token, neuron and camera preset, keeping other parameters', () => {
    const values = { model: 'tiny', prompt: 'a\\nb & c', density: '1/256' };
    const state = {
      token: 3,
      neuron: { side: 'dense', layerId: 'b1.mlp', index: 40 },
      view: 'sparse',
    } as const;
    const query = writeViewState(new URLSearchParams('backend=cpu&input=x'), values, state);
    const params = new URLSearchParams(query);
    expect(params.get('backend')).toBe('cpu');
    expect(params.has('input')).toBe(false);
    expect([params.get('model'), params.get('prompt'), params.get('density')]).toEqual([
      'tiny',
      'a\\nb & c',
      '1/256',
    ]);
    expect(readViewState(params)).toEqual({ state, problems: [] });
    // Defaults stay out of the URL and read back as defaults.
    const plain = writeViewState(new URLSearchParams(), values, {
      token: 'last',
      neuron: null,
      view: 'both',
    });
    expect(plain).not.toMatch(/token|neuron|view/);
    expect(readViewState(new URLSearchParams(plain)).state).toEqual({
      token: 'last',
      neuron: null,
      view: 'both',
    });
  });

  it("leaves a trained model's stored density out of the URL, and reads an old 'stored' link quietly", () => {
    const values = { model: 'tiny-pair', prompt: 'p', density: 'stored' };
    const query = writeViewState(new URLSearchParams('density=1/64'), values, {
      token: 'last',
      neuron: null,
      view: 'both',
    });
    expect(new URLSearchParams(query).has('density')).toBe(false);
    expect(readAppParams(new URLSearchParams('density=stored')).errors).toEqual([]);
  });

  it('names each bad value and falls back to the default', () => {
    const { state, problems } = readViewState(new URLSearchParams('token=-1&neuron=left:x&view=top'));
    expect(state).toEqual({ token: 'last', neuron: null, view: 'both' });
    // Worded by the shared validator, as every other bad URL parameter.
    expect(problems).toEqual([
      'token: "-1" is not "last" or a position (0, 1, …) (using the default)',
      'neuron: "left:x" is not side:layer:index (e.g. sparse:b3.mlp:1203) (using the default)',
      'view: "top" is not one of both, sparse, dense (using the default)',
    ]);
  });
});

describe('findNeuron', () => {
  const { sparse } = microGraphPair(1 / 4, 1, true);
  it('finds a neuron by the words of its labels, or by layer id', () => {
    expect(findNeuron(sparse, 'block 1 MLP 12')).toEqual({ layerId: 'b1.mlp', index: 12 });
    expect(findNeuron(sparse, 'b0.qkv 5')).toEqual({ layerId: 'b0.qkv', index: 5 });
    expect(findNeuron(sparse, 'block 0 residual out 3')).toEqual({ layerId: 'b0.resid', index: 3 });
    expect(findNeuron(sparse, 'logits 7')).toEqual({ layerId: 'logits', index: 7 });
  });
  it('says what is wrong', () => {
    expect(findNeuron(sparse, 'block 9 MLP 1')).toHaveProperty('error');
    expect(findNeuron(sparse, 'block 0 MLP 64')).toEqual({ error: expect.stringMatching(/64 neurons/) });
    expect(findNeuron(sparse, 'MLP')).toHaveProperty('error');
  });
  it('finds "layer 12 neuron 40" in a layered network, numbering layers from 1 as the labels do', () => {
    const layer = CsrMatrix.fromDense(new Float32Array(64 * 64).fill(1), 64, 64);
    const dnn = graphFromDnn(
      { layers: Array.from({ length: 12 }, () => layer), bias: -0.3, ymax: 32 } as never,
      {
        sparse: true,
      },
    );
    expect(findNeuron(dnn, 'layer 12 neuron 40')).toEqual({ layerId: dnn.layers[12].id, index: 40 });
    expect(findNeuron(dnn, 'layer 1 neuron 2')).toEqual({ layerId: dnn.layers[1].id, index: 2 });
  });
});

describe('the unembedding in the graph', () => {
  it('is a timed layer even when the vocabulary is too large to draw the tokens', () => {
    const { model } = microGraphPair(1);
    const g = graphFromGpt2(model, {
      sparse: false,
      unembedding: { wte: model.wte, vocab: MICRO.vocabSize },
    });
    const logits = g.layers.at(-1)!;
    expect(logits).toMatchObject({ id: 'logits', size: MICRO.vocabSize, timing: { op: 'unembed' } });
    expect(g.layers.some((l) => l.id === 'tokens')).toBe(false);
    expect(g.layers[0].timing).toEqual({ op: 'embed' });
  });
});
