// `sparsescope circuit` end to end in-process: the JSON it writes, applied by an evaluation written here
// from the file alone (plain per-prompt forward pass: listed nodes kept, the listed means elsewhere),
// reproduces the reported circuit loss and accuracy.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main';
import { gelu } from '../../src/math/activations';
import { matmulRef } from '../../src/math/matmul';
import { layerNorm } from '../../src/math/norm';
import { loadHfGpt2 } from '../../src/model/hfGpt2';
import { charTokenizer } from '../../src/model/tokenizer';
import type { Gpt2Weights } from '../../src/model/weights';
import { HELD_OUT_SEED, heldOutSet, type TaskName, VOCAB } from '../../src/train/tasks';

const dir = 'public/models/tiny-pair';
const weights = loadHfGpt2(new Uint8Array(readFileSync(`${dir}/sparse.safetensors`)), {
  fileName: 'sparse.safetensors',
  configJson: readFileSync(`${dir}/config.json`, 'utf8'),
}).weights;

interface Json {
  schema: string;
  task: TaskName;
  loss: { circuit: number; full: number; ablated: number; control: number };
  accuracy: { circuit: number; full: number };
  nodes: Record<string, number[]>;
  means: Record<string, number[]>;
  nodeCount: number;
  edges: number;
  details: { evaluation: { seed: number; examples: number } };
}

/** x (T, n) → kept columns unchanged, the others set to the location's mean, at every position. */
function ablate(x: Float32Array, n: number, kept: number[], means: number[]): void {
  const keep = new Set(kept);
  for (let t = 0; t < x.length / n; t++)
    for (let i = 0; i < n; i++) if (!keep.has(i)) x[t * n + i] = means[i];
}

/** −log p(next) and argmax after `ids`, with the circuit of `json` applied. */
function circuitForward(w: Gpt2Weights, json: Json, ids: number[]): Float32Array {
  const { dModel: d, nHead, layerNormEps: eps, vocabSize: V } = w.config;
  const T = ids.length;
  const hd = d / nHead;
  const at = (name: string, x: Float32Array, n: number) => ablate(x, n, json.nodes[name], json.means[name]);
  let x = new Float32Array(T * d);
  ids.forEach((id, t) => {
    for (let i = 0; i < d; i++) x[t * d + i] = w.wte[id * d + i] + w.wpe[t * d + i];
  });
  w.blocks.forEach((blk, l) => {
    const n1 = layerNorm(x, blk.ln1.g, blk.ln1.b, T, d, eps);
    at(`h.${l}.attn.in`, n1, d);
    const qkv = matmulRef(n1, blk.qkv.w, blk.qkv.b, T, 3 * d, d);
    const q = new Float32Array(T * d);
    const k = new Float32Array(T * d);
    const v = new Float32Array(T * d);
    for (let t = 0; t < T; t++) {
      q.set(qkv.subarray(t * 3 * d, t * 3 * d + d), t * d);
      k.set(qkv.subarray(t * 3 * d + d, t * 3 * d + 2 * d), t * d);
      v.set(qkv.subarray(t * 3 * d + 2 * d, t * 3 * d + 3 * d), t * d);
    }
    at(`h.${l}.attn.q`, q, d);
    at(`h.${l}.attn.k`, k, d);
    at(`h.${l}.attn.v`, v, d);
    const att = new Float32Array(T * d);
    for (let h = 0; h < nHead; h++) {
      for (let i = 0; i < T; i++) {
        const s = Array.from({ length: i + 1 }, (_, j) => {
          let dot = 0;
          for (let c = 0; c < hd; c++) dot += q[i * d + h * hd + c] * k[j * d + h * hd + c];
          return dot / Math.sqrt(hd);
        });
        const max = Math.max(...s);
        const e = s.map((z) => Math.exp(z - max));
        const sum = e.reduce((a, b) => a + b, 0);
        for (let c = 0; c < hd; c++) {
          let acc = 0;
          for (let j = 0; j <= i; j++) acc += (e[j] / sum) * v[j * d + h * hd + c];
          att[i * d + h * hd + c] = acc;
        }
      }
    }
    const proj = matmulRef(att, blk.attnProj.w, blk.attnProj.b, T, d, d);
    at(`h.${l}.attn.out`, proj, d);
    const mid = x.map((val, i) => val + proj[i]);
    const n2 = layerNorm(mid, blk.ln2.g, blk.ln2.b, T, d, eps);
    at(`h.${l}.mlp.in`, n2, d);
    const hidden = matmulRef(n2, blk.fc.w, blk.fc.b, T, blk.fc.n, d).map(gelu);
    at(`h.${l}.mlp.neuron`, hidden, blk.fc.n);
    const out = matmulRef(hidden, blk.fcProj.w, blk.fcProj.b, T, d, blk.fc.n);
    at(`h.${l}.mlp.out`, out, d);
    x = mid.map((val, i) => val + out[i]);
  });
  const nf = layerNorm(x, w.lnf.g, w.lnf.b, T, d, eps);
  at('ln_f', nf, d);
  return matmulRef(nf.subarray((T - 1) * d), w.wte, null, 1, V, d);
}

describe('sparsescope circuit', () => {
  it('writes a file whose circuit loss an independent evaluation reproduces', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'circuit-')), 'bracket.json');
    const argv = [
      'circuit',
      '--model',
      `${dir}/sparse.safetensors`,
      '--task',
      'bracket',
      '--steps',
      '6',
      '--train-examples',
      '48',
      '--eval-examples',
      '60',
      '--json',
      out,
    ];
    expect(await main(argv)).toBe(0);
    const json = JSON.parse(readFileSync(out, 'utf8')) as Json;
    expect(Object.keys(json).filter((key) => key !== 'details')).toEqual([
      'schema', 'task', 'ablation', 'targetLoss', 'loss', 'accuracy', 'nodes', 'means', 'nodeCount', 'edges',
    ]); // biome-ignore format: one list
    expect(json.schema).toBe('sparsescope-circuit/1');
    expect(json.nodeCount).toBe(Object.values(json.nodes).reduce((a, ids) => a + ids.length, 0));
    expect(json.nodeCount).toBeLessThan(1472);
    expect(json.loss.circuit).toBeGreaterThan(json.loss.full);

    const tok = charTokenizer(VOCAB);
    const examples = heldOutSet(json.details.evaluation.seed, json.details.evaluation.examples).filter(
      (e) => e.task === json.task,
    );
    expect(json.details.evaluation.seed).toBe(HELD_OUT_SEED);
    let loss = 0;
    let right = 0;
    for (const e of examples) {
      const logits = circuitForward(weights, json, tok.encode(e.prompt));
      const max = Math.max(...logits);
      const lse = max + Math.log(logits.reduce((s, z) => s + Math.exp(z - max), 0));
      const answer = tok.encode(e.answer)[0];
      loss += lse - logits[answer];
      if (logits.indexOf(max) === answer) right++;
    }
    expect(loss / examples.length).toBeCloseTo(json.loss.circuit, 4);
    expect(right / examples.length).toBe(json.accuracy.circuit);
  }, 120_000);

  it('says what is wrong with bad options', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const model = ['--model', `${dir}/sparse.safetensors`];
    // Each bad command line fails (2) with one message naming the flag and what it accepts.
    const says = async (argv: string[], message: RegExp) => {
      errors.mockClear();
      expect(await main(['circuit', ...argv])).toBe(2);
      expect(errors.mock.calls.map((c) => String(c[0])).join('\n')).toMatch(message);
    };
    try {
      await says([...model, '--json', 'x.json'], /--task is required \(quote, /);
      await says([...model, '--task', 'sort', '--json', 'x.json'], /--task.*sort/);
      await says(
        [...model, '--task', 'quote', '--steps', '0', '--json', 'x.json'],
        /--steps.*from 1 to 1000000/,
      );
      await says(
        [...model, '--task', 'quote', '--train-examples', '501', '--json', 'x.json'],
        /--train-examples.*from 1 to 500/,
      );
      await says(
        [...model, '--task', 'quote', '--target-loss', '0', '--json', 'x.json'],
        /--target-loss must be above 0/,
      );
      await says([...model, '--task', 'quote', '--target-loss', '-1', '--json', 'x.json'], /--target-loss/);
      await says(['--model', 'tiny', '--task', 'quote', '--json', 'x.json'], /vocabulary/);
    } finally {
      errors.mockRestore();
    }
  });
});
