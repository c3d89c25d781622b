import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  decodeTensor,
  parseSafetensors,
  type WritableTensor,
  writeSafetensors,
} from '../../src/formats/safetensors';
import { forwardCpu } from '../../src/math/transformer';
import { HfLoadError, loadHfGpt2 } from '../../src/model/hfGpt2';

const dir = new URL('../fixtures/tiny-gpt2/', import.meta.url);
const read = (name: string) => new Uint8Array(readFileSync(new URL(name, dir)));
const configJson = readFileSync(new URL('config.json', dir), 'utf8');
const reference = JSON.parse(readFileSync(new URL('reference.json', dir), 'utf8')) as {
  tokens: number[];
  shape: [number, number];
  logits: number[];
  logits_f16: number[];
};

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** The F32 fixture's tensors, editable, to build broken files from. */
function fixtureTensors(): Record<string, WritableTensor> {
  const file = parseSafetensors(read('model.safetensors'));
  const out: Record<string, WritableTensor> = {};
  for (const [name, t] of file.tensors) out[name] = { dtype: 'F32', shape: t.shape, data: decodeTensor(t) };
  return out;
}

describe('loadHfGpt2', () => {
  it('F32 checkpoint (transformer. prefix, mask buffers, tied lm_head) reproduces the numpy logits', () => {
    const { weights, warnings } = loadHfGpt2(read('model.safetensors'), {
      fileName: 'model.safetensors',
      configJson,
    });
    expect(weights.config).toEqual({
      nLayer: 2,
      nHead: 2,
      dModel: 16,
      dMlp: 40,
      nCtx: 12,
      vocabSize: 37,
      layerNormEps: 1e-5,
    });
    expect(warnings).toEqual([]);
    expect(weights.blocks[0].qkv).toMatchObject({ n: 48, k: 16 });
    const { logits } = forwardCpu(weights, reference.tokens);
    expect(maxAbsDiff(logits, reference.logits)).toBeLessThan(1e-4);
  });

  it('F16 checkpoint (no prefix) reproduces its own reference tightly and the F32 one loosely', () => {
    const progress: number[] = [];
    const { weights } = loadHfGpt2(read('model-f16.safetensors'), {
      configJson,
      onProgress: (f) => progress.push(f),
    });
    const { logits } = forwardCpu(weights, reference.tokens);
    expect(maxAbsDiff(logits, reference.logits_f16)).toBeLessThan(1e-4);
    expect(maxAbsDiff(logits, reference.logits)).toBeLessThan(0.05);
    expect(progress.at(-1)).toBe(1);
  });

  it('without config.json infers the shape, assumes n_head = d/64 and says so', () => {
    const t = fixtureTensors();
    // d = 16 is not a multiple of 64: n_head cannot be assumed.
    expect(() => loadHfGpt2(writeSafetensors(t))).toThrow(/pass config.json/);
    // With config.json minus the shape fields, the shapes fill them in.
    const { weights } = loadHfGpt2(writeSafetensors(t), { configJson: { n_head: 2 } });
    expect(weights.config).toMatchObject({ nLayer: 2, dModel: 16, dMlp: 40, nCtx: 12, vocabSize: 37 });
  });

  it('errors name the tensor: missing, wrong shape, NaN', () => {
    const missing = fixtureTensors();
    delete missing['transformer.h.1.mlp.c_fc.bias'];
    expect(() => loadHfGpt2(writeSafetensors(missing), { configJson, fileName: 'm.safetensors' })).toThrow(
      /m\.safetensors: missing tensor 'h\.1\.mlp\.c_fc\.bias'/,
    );
    const shape = fixtureTensors();
    shape['transformer.h.0.attn.c_proj.weight'] = {
      dtype: 'F32',
      shape: [8, 32],
      data: new Float32Array(256),
    };
    expect(() => loadHfGpt2(writeSafetensors(shape), { configJson })).toThrow(
      /'h\.0\.attn\.c_proj\.weight' has shape \[8,32\], expected \[16,16\]/,
    );
    const nan = fixtureTensors();
    const bias = nan['transformer.ln_f.bias'].data;
    if (bias instanceof Float32Array) bias[3] = Number.NaN;
    expect(() => loadHfGpt2(writeSafetensors(nan), { configJson })).toThrow(HfLoadError);
    expect(() => loadHfGpt2(writeSafetensors(nan), { configJson })).toThrow(
      /'ln_f\.bias' has a non-finite value \(NaN\) at index 3/,
    );
  });

  it('warns about an untied lm_head and unknown tensors', () => {
    const t = fixtureTensors();
    t['lm_head.weight'] = { dtype: 'F32', shape: [37, 16], data: new Float32Array(37 * 16) };
    t['transformer.extra'] = { dtype: 'F32', shape: [1], data: new Float32Array(1) };
    const { warnings } = loadHfGpt2(writeSafetensors(t), { configJson });
    expect(warnings.join('\n')).toMatch(/lm_head\.weight differs/);
    expect(warnings.join('\n')).toMatch(/unexpected tensor\(s\): extra/);
  });
});
