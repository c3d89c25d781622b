// A checkpoint that stores its zeros (a model trained weight-sparse) keeps its own sparsity: `run --path
// sparse` reproduces the checkpoint's own logits with no density flag, and re-prunes only when asked for a
// lower density. The fixture is written here: an HF-layout file whose block weights are 1/16 nonzero.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { parseArgs } from '../../src/cli/args';
import { runCommand } from '../../src/cli/run';
import { forwardCpu } from '../../src/math/transformer';
import { presetConfig } from '../../src/model/config';
import { loadHfGpt2 } from '../../src/model/hfGpt2';
import { initGpt2 } from '../../src/model/init';
import { sparsifyModel } from '../../src/model/sparsify';
import { storedDensity, twinDensity } from '../../src/model/storedSparsity';
import { hfConfigJson, toHfSafetensors } from '../../src/train/checkpoint';

const dir = mkdtempSync(join(tmpdir(), 'sparsescope-stored-sparse-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A "trained sparse" model: every block matrix keeps 1/16 of its weights (no per-neuron minimum).
const config = presetConfig('tiny');
const pruned = sparsifyModel(initGpt2(config, { seed: 3 }), { density: 1 / 16, minPerNeuron: 0 });
const file = join(dir, 'model.safetensors');
writeFileSync(file, toHfSafetensors(pruned));
writeFileSync(join(dir, 'config.json'), JSON.stringify(hfConfigJson(config)));
const tokens = [5, 17, 3, 99, 42, 8];

async function runLogits(extra: string[]): Promise<number[][]> {
  const out = join(dir, `logits-${extra.join('')}.json`);
  const args = ['--model', file, '--tokens', tokens.join(','), '--path', 'sparse', '--backend', 'cpu'];
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  try {
    const code = await runCommand(
      parseArgs([...args, '--samples', '1', '--budget-ms', '0', '--logits', out, ...extra]),
    );
    expect(code).toBe(0);
  } finally {
    log.mockRestore();
  }
  return (JSON.parse(readFileSync(out, 'utf8')) as { logits: number[][] }).logits;
}

function maxRelDiff(a: number[][], b: Float32Array): number {
  const flat = a.flat();
  expect(flat.length).toBe(b.length);
  let scale = 0;
  let diff = 0;
  flat.forEach((v, i) => {
    scale = Math.max(scale, Math.abs(b[i]));
    diff = Math.max(diff, Math.abs(v - b[i]));
  });
  return diff / scale;
}

describe('a stored-sparse checkpoint', () => {
  const { weights } = loadHfGpt2(new Uint8Array(readFileSync(file)), {
    fileName: file,
    configJson: JSON.stringify(hfConfigJson(config)),
  });
  // The checkpoint's own logits: its stored weights, zeros included, run densely.
  const own = forwardCpu(weights, tokens, { path: 'dense', collectActivations: false }).logits;

  it('is recognised, with its stored density', () => {
    expect(storedDensity(weights)).toBeCloseTo(1 / 16, 3);
    expect(twinDensity(weights, undefined, 1 / 64).density).toBe('exact');
    expect(twinDensity(weights, 1 / 4, 1 / 64).density).toBe('exact'); // not below what it stores
    expect(twinDensity(weights, 1 / 64, 1 / 64).density).toBe(1 / 64); // explicitly lower: pruned
    expect(twinDensity(initGpt2(config, { seed: 3 }), undefined, 1 / 64)).toEqual({
      density: 1 / 64,
      stored: null,
    });
  });

  it('run --path sparse reproduces its own logits without any density flag', async () => {
    expect(maxRelDiff(await runLogits([]), own)).toBeLessThan(1e-5);
  });

  it('is pruned further, and its logits change, only when a lower density is asked for', async () => {
    expect(maxRelDiff(await runLogits(['--density', '0.015625']), own)).toBeGreaterThan(1e-2);
  });
});
