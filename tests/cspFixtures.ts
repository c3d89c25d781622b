// The circuit_sparsity fixtures in <repo>/../shared/data/circuit-sparsity (made by an independent numpy
// implementation, float64 reference logits and float32 hooks). Missing data FAILS, it never skips.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeTensor, parseSafetensors } from '../src/formats/safetensors';
import { ABSTOPK_LOCATIONS, type ArchOptions } from '../src/math/arch';
import type { Gpt2Config, Linear } from '../src/math/gpt2Types';
import { Rng } from '../src/math/rng';
import { loadCircuitSparsity, readCheckpoint } from '../src/model/circuitSparsity';
import type { Gpt2Weights } from '../src/model/weights';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const CSP_DATA = resolve(REPO, '..', 'shared', 'data', 'circuit-sparsity');

export function cspBytes(name: string): Uint8Array {
  const path = resolve(CSP_DATA, name);
  if (!existsSync(path)) throw new Error(`circuit_sparsity fixture missing: ${path}`);
  return new Uint8Array(readFileSync(path));
}

export interface CspFixture {
  weights: Gpt2Weights;
  tokens: number[];
  /** (T, vocab) reference logits, row-major. */
  logits: Float64Array;
  /** Every gpt.py hook, (T, width) float32. */
  hooks: Map<string, Float32Array>;
}

export function loadCspFixture(name: 'a' | 'b', weightsFile = `fixture_${name}.safetensors`): CspFixture {
  const config = new TextDecoder().decode(cspBytes(`fixture_${name}.beeg_config.json`));
  const file = readCheckpoint(cspBytes(weightsFile), weightsFile);
  const { weights } = loadCircuitSparsity(file, config);
  const ref = JSON.parse(new TextDecoder().decode(cspBytes(`fixture_${name}.reference.json`))) as {
    tokens: number[];
    logits: number[][];
  };
  const hooksFile = parseSafetensors(cspBytes(`fixture_${name}.hooks.safetensors`));
  const hooks = new Map<string, Float32Array>();
  for (const [key, t] of hooksFile.tensors) hooks.set(key, decodeTensor(t));
  return { weights, tokens: ref.tokens, logits: Float64Array.from(ref.logits.flat()), hooks };
}

/** max |a − b| over all elements (lengths must agree). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= worst)) worst = Number.isNaN(d) ? Number.POSITIVE_INFINITY : d;
  }
  return worst;
}

/**
 * A random circuit_sparsity model (about 1 in 4 weights nonzero) whose attention width n_head·d_head
 * differs from d_model, with every option of `arch` as given: for GPU-vs-CPU checks of shapes the
 * fixtures do not cover.
 */
export function randomCspModel(arch: Partial<ArchOptions>, seed: number): Gpt2Weights {
  const rng = new Rng(seed);
  const config: Gpt2Config = {
    nLayer: 2,
    nHead: 3,
    dModel: 18,
    dMlp: 37,
    nCtx: 12,
    vocabSize: 29,
    layerNormEps: arch.norm === 'layernorm' ? 1e-5 : 1.1920928955078125e-7,
    arch: {
      family: 'circuit-sparsity',
      norm: 'rmsnorm',
      activation: 'gelu-erf',
      residualRelu: false,
      dHead: 5, // A = 15 ≠ 18
      tiedUnembed: false,
      bigram: true,
      sink: true,
      afrac: 0.3,
      afracLocations: [...ABSTOPK_LOCATIONS],
      ...arch,
    },
  };
  const { dModel: d, dMlp: m, nHead, vocabSize: V, nCtx } = config;
  const A = nHead * (config.arch?.dHead ?? 0);
  const sparse = (n: number, scale: number) => {
    const a = rng.normalArray(n, scale);
    for (let i = 0; i < n; i++) if (rng.next() < 0.75) a[i] = 0;
    return a;
  };
  const lin = (n: number, k: number): Linear => ({
    w: sparse(n * k, 1 / Math.sqrt(k / 4)),
    b: rng.normalArray(n, 0.1),
    n,
    k,
  });
  const norm = () => ({ g: rng.uniformArray(d, 0.5, 1.5), b: rng.normalArray(d, 0.1) });
  const blocks = Array.from({ length: config.nLayer }, () => ({
    ln1: norm(),
    qkv: lin(3 * A, d),
    attnProj: lin(d, A),
    ln2: norm(),
    fc: lin(m, d),
    fcProj: lin(d, m),
    sinkLogit: rng.normalArray(nHead, 1),
  }));
  return {
    config,
    wte: sparse(V * d, 1),
    wpe: rng.normalArray(nCtx * d, 0.1),
    blocks,
    lnf: norm(),
    head: { w: sparse(V * d, 1), bias: rng.normalArray(V, 0.2), bigram: rng.normalArray(V * V, 0.3) },
  };
}
