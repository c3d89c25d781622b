import { describe, expect, it } from 'vitest';
import { causalAttention, createKvCache } from '../../src/math/attention';
import { embed, layerNorm, softmaxRows } from '../../src/math/norm';
import { Rng } from '../../src/math/rng';
import { presetConfig } from '../../src/model/config';

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, rtol = 0) {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    if (!(err <= atol + rtol * Math.abs(expected[i]))) {
      throw new Error(`index ${i}: ${actual[i]} vs ${expected[i]} (err ${err})`);
    }
  }
}

describe('layerNorm', () => {
  it('matches the two-pass definition and normalizes rows', () => {
    const rng = new Rng(1);
    const rows = 5;
    const d = 37;
    const x = rng.uniformArray(rows * d, -3, 5);
    const g = rng.uniformArray(d, 0.5, 1.5);
    const b = rng.uniformArray(d);
    const y = layerNorm(x, g, b, rows, d, 1e-5);
    const ref: number[] = [];
    for (let r = 0; r < rows; r++) {
      const row = Array.from(x.subarray(r * d, (r + 1) * d));
      const mu = row.reduce((s, v) => s + v, 0) / d;
      const v = row.reduce((s, e) => s + (e - mu) ** 2, 0) / d;
      for (let i = 0; i < d; i++) ref.push(((row[i] - mu) / Math.sqrt(v + 1e-5)) * g[i] + b[i]);
    }
    expectClose(y, ref, 1e-5);
    const plain = layerNorm(x, new Float32Array(d).fill(1), new Float32Array(d), rows, d, 0);
    const row0 = plain.subarray(0, d);
    expect(row0.reduce((s, v) => s + v, 0) / d).toBeCloseTo(0, 5);
    expect(row0.reduce((s, v) => s + v * v, 0) / d).toBeCloseTo(1, 4);
  });
});

describe('softmax', () => {
  it('sums to one, is shift-invariant and survives large inputs', () => {
    const v = new Float32Array([1, 2, 3, 1000, 1001, 1002]);
    softmaxRows(v, 2, 3);
    const e = [Math.exp(-2), Math.exp(-1), 1];
    const s = e[0] + e[1] + e[2];
    expectClose(
      v,
      [...e, ...e].map((x) => x / s),
      1e-6,
    );
  });
});

describe('embed', () => {
  it('adds token and position rows and rejects bad ids', () => {
    const wte = new Float32Array([1, 2, 10, 20, 100, 200]); // vocab 3, d 2
    const wpe = new Float32Array([0.5, 0.25, 0.125, 0.0625]); // ctx 2
    expect(Array.from(embed([2, 0], wte, wpe, 2))).toEqual([100.5, 200.25, 1.125, 2.0625]);
    expect(Array.from(embed([1], wte, wpe, 2, 1))).toEqual([10.125, 20.0625]);
    expect(() => embed([3], wte, wpe, 2)).toThrow(/outside the vocabulary/);
    expect(() => embed([0, 0, 0], wte, wpe, 2)).toThrow(/past the context/);
  });
});

/** Naive causal attention from the definition: explicit T×T mask, per head. */
function attentionRef(qkv: Float32Array, T: number, nHead: number, d: number): Float64Array {
  const hd = d / nHead;
  const out = new Float64Array(T * d);
  for (let h = 0; h < nHead; h++) {
    for (let t = 0; t < T; t++) {
      const scores: number[] = [];
      for (let j = 0; j < T; j++) {
        let s = 0;
        for (let i = 0; i < hd; i++) s += qkv[t * 3 * d + h * hd + i] * qkv[j * 3 * d + d + h * hd + i];
        scores.push(j <= t ? s / Math.sqrt(hd) : Number.NEGATIVE_INFINITY);
      }
      const mx = Math.max(...scores);
      const e = scores.map((s) => Math.exp(s - mx));
      const z = e.reduce((a, b) => a + b, 0);
      for (let i = 0; i < hd; i++) {
        let acc = 0;
        for (let j = 0; j < T; j++) acc += (e[j] / z) * qkv[j * 3 * d + 2 * d + h * hd + i];
        out[t * d + h * hd + i] = acc;
      }
    }
  }
  return out;
}

describe('causal attention', () => {
  const config = { ...presetConfig('test'), nLayer: 1, nHead: 3, dModel: 12 };
  const T = 7;
  const d = 12;
  const qkv = new Rng(5).uniformArray(T * 3 * d, -2, 2);

  it('equals the masked full-matrix reference', () => {
    const cache = createKvCache(config, T);
    const y = causalAttention(qkv, T, 0, 3, d, cache.k[0], cache.v[0]);
    expectClose(y, attentionRef(qkv, T, 3, d), 1e-6);
    expect(y[0]).toBeCloseTo(qkv[2 * d], 6); // the first token sees only itself: its v
  });

  it('incremental (one token at a time, then a chunk) equals all at once', () => {
    const cache = createKvCache(config, T);
    const parts: Float32Array[] = [];
    const steps = [1, 1, 3, 2];
    let start = 0;
    for (const n of steps) {
      parts.push(
        causalAttention(
          qkv.subarray(start * 3 * d, (start + n) * 3 * d),
          n,
          start,
          3,
          d,
          cache.k[0],
          cache.v[0],
        ),
      );
      start += n;
    }
    const joined = new Float32Array(T * d);
    let o = 0;
    for (const p of parts) {
      joined.set(p, o);
      o += p.length;
    }
    expectClose(joined, attentionRef(qkv, T, 3, d), 1e-6);
    expect(() => causalAttention(qkv.subarray(0, 3 * d), 1, T, 3, d, cache.k[0], cache.v[0])).toThrow(
      /capacity/,
    );
  });
});
