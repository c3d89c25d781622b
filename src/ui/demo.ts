// Stand-in for the engine until it is plugged in (see showResults in app.ts): activations from a
// per-token forward pass of the synthetic model WITHOUT attention mixing (each token attends only to
// itself, which is exact for the first token), and timings from a cost model, labelled as such in the UI.
// Nothing here is measured; the real Backend.forward replaces both.

import type { LayerTiming, WeightPath } from '../engine/types';
import { gelu } from '../math/activations';
import { Rng } from '../math/rng';
import type { LayerActivations } from '../model/graph';
import type { SyntheticLinear, SyntheticModel } from '../model/graphSynthetic';

/** Printable ASCII, the char-level vocabulary of the tiny models (index = code − 32). */
export function charTokens(prompt: string, vocab: number): { ids: number[]; labels: string[] } {
  const chars = [...prompt].slice(0, 32);
  const ids = chars.map((ch) => Math.min(Math.max(ch.charCodeAt(0) - 32, 0), 95) % vocab);
  return { ids, labels: chars };
}

// y (n) = W x + b, W (n, k) out×in; the sparse path reads only the CSR.
function linear(lin: SyntheticLinear, x: Float32Array, sparse: boolean): Float32Array {
  const y = Float32Array.from(lin.b);
  if (sparse && lin.csr) {
    const { rowPtr, colIdx, values } = lin.csr;
    for (let r = 0; r < lin.n; r++) {
      let s = 0;
      for (let i = rowPtr[r]; i < rowPtr[r + 1]; i++) s += values[i] * x[colIdx[i]];
      y[r] += s;
    }
    return y;
  }
  for (let r = 0; r < lin.n; r++) {
    let s = 0;
    const base = r * lin.k;
    for (let c = 0; c < lin.k; c++) s += lin.w[base + c] * x[c];
    y[r] += s;
  }
  return y;
}

function layerNorm(x: Float32Array): Float32Array {
  let mean = 0;
  for (const v of x) mean += v;
  mean /= x.length;
  let varSum = 0;
  for (const v of x) varSum += (v - mean) ** 2;
  const inv = 1 / Math.sqrt(varSum / x.length + 1e-5);
  return x.map((v) => (v - mean) * inv);
}

function addInto(x: Float32Array, y: Float32Array): Float32Array {
  const out = Float32Array.from(x);
  for (let i = 0; i < out.length; i++) out[i] += y[i];
  return out;
}

export function demoActivations(
  model: SyntheticModel,
  path: WeightPath,
  tokenIds: number[],
  labels: string[],
) {
  const { dModel: d, vocab } = model.config;
  const sparse = path === 'sparse';
  const rows: Record<string, Float32Array[]> = {};
  const record = (id: string, v: Float32Array) => {
    rows[id] ??= [];
    rows[id].push(v);
  };
  tokenIds.forEach((tok, pos) => {
    let x: Float32Array;
    if (model.wte) {
      const oneHot = new Float32Array(vocab);
      oneHot[tok] = 1;
      record('tokens', oneHot);
      x = model.wte.slice(tok * d, tok * d + d);
    } else {
      x = new Rng(1000 + tok).normalArray(d, 0.5); // large vocabularies: a seeded vector per token
    }
    const position = new Rng(7 + pos).normalArray(d, 0.1);
    x = addInto(x, position);
    record('embed', x);
    model.blocks.forEach((block, b) => {
      const qkv = linear(block.qkv, layerNorm(x), sparse);
      record(`b${b}.qkv`, qkv);
      const heads = qkv.slice(2 * d, 3 * d); // attending only to itself: the output is v
      record(`b${b}.attn`, heads);
      x = addInto(x, linear(block.attnProj, heads, sparse));
      record(`b${b}.resid_mid`, x);
      const hidden = linear(block.fc, layerNorm(x), sparse).map(gelu);
      record(`b${b}.mlp`, hidden);
      x = addInto(x, linear(block.fcProj, hidden, sparse));
      record(`b${b}.resid`, x);
    });
    if (model.wte) {
      const h = layerNorm(x);
      const logits = new Float32Array(vocab);
      for (let v = 0; v < vocab; v++) {
        let s = 0;
        for (let c = 0; c < d; c++) s += model.wte[v * d + c] * h[c];
        logits[v] = s;
      }
      record('logits', logits);
    }
  });
  const byLayer: Record<string, Float32Array> = {};
  for (const [id, list] of Object.entries(rows)) {
    const out = new Float32Array(list.length * list[0].length);
    list.forEach((v, t) => {
      out.set(v, t * v.length);
    });
    byLayer[id] = out;
  }
  const activations: LayerActivations = { tokens: labels, byLayer };
  return activations;
}

/** Effective rates of the cost model (made up, plausible for JS on one core). */
const DENSE_FLOPS = 2e9;
const SPARSE_FLOPS = 0.8e9;
const OVERHEAD_MS = 0.01;

export function demoTimings(dense: SyntheticModel, sparse: SyntheticModel, tokens: number): LayerTiming[] {
  const rows: LayerTiming[] = [];
  const d = dense.config.dModel;
  const cost = (flops: number, rate: number) => (1e3 * flops) / rate + OVERHEAD_MS;
  const push = (layer: number, op: string, path: WeightPath, ms: number) =>
    rows.push({ layer, op, path, ms, source: 'wall' });
  dense.blocks.forEach((block, b) => {
    const twin = sparse.blocks[b];
    const ops: [string, SyntheticLinear, SyntheticLinear][] = [
      ['qkv', block.qkv, twin.qkv],
      ['attn.proj', block.attnProj, twin.attnProj],
      ['fc', block.fc, twin.fc],
      ['fc.proj', block.fcProj, twin.fcProj],
    ];
    const core = cost(4 * tokens * tokens * d, DENSE_FLOPS);
    for (const path of ['dense', 'sparse'] as const) push(b, 'attn.core', path, core);
    for (const [op, lin, pruned] of ops) {
      push(b, op, 'dense', cost(2 * tokens * lin.n * lin.k, DENSE_FLOPS));
      push(b, op, 'sparse', cost(2 * tokens * (pruned.csr?.nnz ?? lin.n * lin.k), SPARSE_FLOPS));
    }
  });
  if (dense.wte) {
    const ms = cost(2 * tokens * dense.config.vocab * d, DENSE_FLOPS);
    for (const path of ['dense', 'sparse'] as const) push(dense.blocks.length, 'unembed', path, ms);
  }
  return rows;
}
