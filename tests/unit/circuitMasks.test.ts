// Circuit discovery's masked forward/backward (src/circuit/maskedForward.ts) and edge counting:
// gate gradients against central finite differences (f64), gates of 1 reproduce the model's logits,
// gates of 0 put every location at its mean, and edges counted on a hand-made model.
import { describe, expect, it } from 'vitest';
import { countEdges } from '../../src/circuit/edges';
import { keepFromLocations, nodeLayout } from '../../src/circuit/locations';
import { MaskedWorkspace } from '../../src/circuit/maskedForward';
import { Rng } from '../../src/math/rng';
import { forwardCpu } from '../../src/math/transformer';
import type { Gpt2Config } from '../../src/model/config';
import { initGpt2 } from '../../src/model/init';
import type { Gpt2Weights, Linear } from '../../src/model/weights';
import { softmaxCrossEntropy } from '../../src/train/crossEntropy';

const config: Gpt2Config = {
  nLayer: 2,
  nHead: 2,
  dModel: 6,
  dMlp: 10,
  nCtx: 8,
  vocabSize: 11,
  layerNormEps: 1e-5,
};
const rng = new Rng(77);
// Larger than GPT-2's init so that every op is far from linear and ablations move the logits a lot.
const weights = initGpt2(config, { seed: 5, std: 0.5 });
for (const blk of weights.blocks)
  for (const ln of [blk.ln1, blk.ln2]) for (let i = 0; i < ln.b.length; i++) ln.b[i] = rng.next() - 0.5;
const layout = nodeLayout(config);
const batch = 2;
const T = 5;
const tokens = Int32Array.from({ length: batch * T }, () => rng.int(config.vocabSize));
const answerRows = Int32Array.from([4, 2]);
const answers = Int32Array.from([3, 7]);
const randomMeans = () => Float64Array.from({ length: layout.total }, () => rng.next() - 0.5);

describe('masked forward and gate gradients', () => {
  it('gives dL/dgate equal to central finite differences at every node', () => {
    const ws = new MaskedWorkspace(weights, batch, T, 'f64');
    const gates = Float64Array.from({ length: layout.total }, () => 0.2 + 0.6 * rng.next());
    const means = randomMeans();
    const loss = () => {
      const logits = ws.forward(tokens, answerRows, gates, means);
      return softmaxCrossEntropy(logits, answers, batch, config.vocabSize, null).loss;
    };
    const logits = ws.forward(tokens, answerRows, gates, means);
    softmaxCrossEntropy(logits, answers, batch, config.vocabSize, logits);
    const grad = new Float64Array(layout.total);
    ws.backward(logits, gates, means, grad);
    const h = 1e-5;
    let worst = 0;
    let largest = 0;
    for (let i = 0; i < layout.total; i++) {
      const v = gates[i];
      gates[i] = v + h;
      const up = loss();
      gates[i] = v - h;
      const down = loss();
      gates[i] = v;
      const numeric = (up - down) / (2 * h);
      worst = Math.max(worst, Math.abs(numeric - grad[i]) / (1e-6 + Math.abs(numeric)));
      largest = Math.max(largest, Math.abs(numeric));
    }
    expect(largest).toBeGreaterThan(1e-2); // the check is not vacuous
    expect(worst).toBeLessThan(1e-4);
  });

  it('keeps the model unchanged when nothing is ablated (gates 1, any means)', () => {
    const ws = new MaskedWorkspace(weights, batch, T);
    const logits = ws.forward(
      tokens,
      answerRows,
      new Float32Array(layout.total).fill(1),
      Float32Array.from(randomMeans()),
    );
    const V = config.vocabSize;
    for (let b = 0; b < batch; b++) {
      const seq = Array.from(tokens.subarray(b * T, b * T + answerRows[b] + 1));
      const ref = forwardCpu(weights, seq, { path: 'dense', collectActivations: false }).logits;
      const last = ref.subarray(ref.length - V);
      for (let v = 0; v < V; v++) expect(Math.abs(logits[b * V + v] - last[v])).toBeLessThan(1e-5);
    }
  });

  it('puts every location at its mean when everything is ablated (gates 0)', () => {
    const ws = new MaskedWorkspace(weights, batch, T, 'f64');
    const means = randomMeans();
    const logits = ws.forward(tokens, answerRows, new Float64Array(layout.total), means);
    const { dModel: d, dMlp: m, vocabSize: V } = config;
    const at = (name: string) => layout.locations.find((l) => l.name === name)!.offset;
    for (let l = 0; l < config.nLayer; l++) {
      const t = ws.blocks[l];
      for (let r = 0; r < batch * T; r++) {
        for (let i = 0; i < d; i++) expect(t.n1[r * d + i]).toBe(means[at(`h.${l}.attn.in`) + i]);
        for (let i = 0; i < 3 * d; i++) expect(t.qkv[r * 3 * d + i]).toBe(means[at(`h.${l}.attn.q`) + i]);
        for (let i = 0; i < d; i++) expect(t.n2[r * d + i]).toBe(means[at(`h.${l}.mlp.in`) + i]);
        for (let i = 0; i < m; i++) expect(t.h[r * m + i]).toBe(means[at(`h.${l}.mlp.neuron`) + i]);
      }
    }
    // Logits: the ln_f means through the tied unembedding, whatever the tokens.
    for (let b = 0; b < batch; b++) {
      for (let v = 0; v < V; v++) {
        let s = 0;
        for (let i = 0; i < d; i++) s += means[at('ln_f') + i] * weights.wte[v * d + i];
        expect(logits[b * V + v]).toBeCloseTo(s, 12);
      }
    }
  });
});

describe('edge counting', () => {
  /** A 1-block model with d = 2, dMlp = 3 and chosen nonzeros. */
  function handMade(): Gpt2Weights {
    const lin = (n: number, k: number, nonzeros: [number, number][]): Linear => {
      const w = new Float32Array(n * k);
      for (const [j, i] of nonzeros) w[j * k + i] = 1;
      return { w, b: new Float32Array(n), n, k };
    };
    const ln = () => ({ g: new Float32Array(2).fill(1), b: new Float32Array(2) });
    return {
      config: { nLayer: 1, nHead: 1, dModel: 2, dMlp: 3, nCtx: 4, vocabSize: 3, layerNormEps: 1e-5 },
      wte: new Float32Array(6),
      wpe: new Float32Array(8),
      blocks: [
        {
          ln1: ln(),
          // rows: q0 q1 k0 k1 v0 v1; columns attn.in 0, 1
          qkv: lin(6, 2, [
            [0, 0],
            [1, 1],
            [2, 0],
            [4, 0],
            [4, 1],
            [5, 1],
          ]),
          attnProj: lin(2, 2, [
            [0, 0],
            [0, 1],
            [1, 1],
          ]), // attn.out ← v
          ln2: ln(),
          fc: lin(3, 2, [
            [0, 0],
            [1, 0],
            [2, 1],
          ]), // mlp.neuron ← mlp.in
          fcProj: lin(2, 3, [
            [0, 0],
            [0, 2],
            [1, 1],
          ]), // mlp.out ← mlp.neuron
        },
      ],
      lnf: ln(),
    };
  }

  it('counts every nonzero with all nodes kept, and only nonzeros between kept nodes otherwise', () => {
    const w = handMade();
    const all = countEdges(w, new Float32Array(nodeLayout(w.config).total).fill(1));
    expect(all.total).toBe(6 + 3 + 3 + 3);
    const keep = keepFromLocations(nodeLayout(w.config), {
      'h.0.attn.in': [0],
      'h.0.attn.q': [0, 1],
      'h.0.attn.k': [],
      'h.0.attn.v': [0],
      'h.0.attn.out': [0],
      'h.0.mlp.in': [0],
      'h.0.mlp.neuron': [0, 2],
      'h.0.mlp.out': [0, 1],
      ln_f: [0],
    });
    const c = countEdges(w, keep);
    // c_attn: q0←in0, v0←in0 (q1←in1: in1 dropped; k dropped) · c_proj: out0←v0 · c_fc: n0←in0 (n1 dropped)
    // · MLP c_proj: out0←n0, out0←n2 (out1←n1: n1 dropped)
    expect(c.byMatrix).toEqual({
      'h.0.attn.c_attn': 2,
      'h.0.attn.c_proj': 1,
      'h.0.mlp.c_fc': 1,
      'h.0.mlp.c_proj': 2,
    });
    expect(c.total).toBe(6);
  });

  it('rejects node indices outside a location', () => {
    const w = handMade();
    expect(() => keepFromLocations(nodeLayout(w.config), { 'h.0.mlp.neuron': [3] })).toThrow(/outside 0..2/);
    expect(() => keepFromLocations(nodeLayout(w.config), { 'h.1.mlp.neuron': [0] })).toThrow(
      /no node location/,
    );
  });
});
