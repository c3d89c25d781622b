// The circuit_sparsity fixtures in <repo>/../shared/data/circuit-sparsity (made by an independent numpy
// implementation, float64 reference logits and float32 hooks). Missing data FAILS, it never skips.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeTensor, parseSafetensors } from '../src/formats/safetensors';
import { loadCircuitSparsity, readCheckpoint } from '../src/model/circuitSparsity';
import type { Gpt2Weights } from '../src/model/weights';

const REPO = fileURLToPath(new URL('..', import.meta.url));
export const CSP_DATA = resolve(REPO, '..', 'shared', 'data', 'circuit-sparsity');

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
