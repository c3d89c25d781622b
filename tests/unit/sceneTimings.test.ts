import { describe, expect, it } from 'vitest';
import type { LayerTiming } from '../../src/contracts';
import { activationColor } from '../../src/scene/colors';
import { NEGATIVE, POSITIVE } from '../../src/scene/edges';
import { nearestAcross, nearestPoint, projectPoints } from '../../src/scene/picking';
import { anchorTime, compactMs, formatMs, parentOp, summarizeTimings } from '../../src/scene/timingModel';

const row = (layer: number, op: string, path: 'dense' | 'sparse', ms: number): LayerTiming => ({
  layer,
  op,
  path,
  ms,
  source: 'gpu-timestamp',
});

describe('summarizeTimings', () => {
  it('files matmuls under their block op and sums them when no aggregate is given', () => {
    const s = summarizeTimings([
      row(0, 'qkv', 'sparse', 1),
      row(0, 'attn.proj', 'sparse', 0.5),
      row(0, 'fc', 'sparse', 2),
      row(0, 'fc.proj', 'sparse', 3),
      row(0, 'attn', 'dense', 10),
      row(0, 'qkv', 'dense', 6),
      row(0, 'mlp', 'dense', 20),
    ]);
    expect(s.sparse.anchors.get('0:attn')).toMatchObject({
      ms: 1.5,
      split: [{ op: 'qkv' }, { op: 'attn.proj' }],
    });
    expect(s.sparse.anchors.get('0:mlp')!.ms).toBe(5);
    // An aggregate wins over its parts: no double counting.
    expect(s.dense.anchors.get('0:attn')!.ms).toBe(10);
    expect(s.dense.totalMs).toBe(30);
    expect(s.sparse.totalMs).toBe(6.5);
    expect(s.speedup).toBeCloseTo(30 / 6.5);
    expect(s.maxAnchorMs).toBe(20);
    expect(s.sourceLabel).toBe('GPU timestamps');
  });

  it('sums an op across layers when the anchor names no layer, and has no speedup without both paths', () => {
    const s = summarizeTimings([
      row(12, 'unembed', 'dense', 4),
      { ...row(3, 'dnn', 'dense', 1), source: 'wall' },
    ]);
    expect(anchorTime(s.dense, { op: 'unembed' })!.ms).toBe(4);
    expect(anchorTime(s.dense, { layer: 3, op: 'dnn' })!.ms).toBe(1);
    expect(anchorTime(s.sparse, { op: 'unembed' })).toBeNull();
    expect(s.speedup).toBeNull();
    expect(s.sourceLabel).toBe('GPU timestamps + wall clock');
  });

  it('names parents and formats times', () => {
    expect(
      ['qkv', 'attn.proj', 'attn.core', 'fc', 'fc.proj', 'unembed', 'ln1', 'ln2', 'lnf'].map(parentOp),
    ).toEqual(['attn', 'attn', 'attn', 'mlp', 'mlp', 'unembed', 'attn', 'mlp', 'unembed']);
    expect(formatMs(0.042)).toBe('42 µs');
    expect(formatMs(0.09999)).toBe('100 µs'); // not '1.0e+2 µs'
    expect(formatMs(0.0042)).toBe('4.2 µs');
    expect(formatMs(0)).toBe('< 1.0 µs');
    expect(formatMs(0, 0.1)).toBe('< 0.10 ms');
    expect(formatMs(1.234)).toBe('1.23 ms');
    expect(formatMs(123.4)).toBe('123 ms');
    expect(compactMs(0.125)).toBe('.13');
    expect(compactMs(4.26)).toBe('4.3');
  });
});

describe('picking', () => {
  it('projects with a column-major matrix into pixels and drops what is behind the camera', () => {
    const identity = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];
    const positions = new Float32Array([0, 0, 0, 1, 1, 0, -1, -1, 0, 0, 0, 5]);
    const screen = projectPoints(positions, identity, 200, 100);
    expect([...screen.slice(0, 6)]).toEqual([100, 50, 200, 0, 0, 100]);
    expect(Number.isNaN(screen[6])).toBe(true); // z = 5 is outside the clip volume
    expect(nearestPoint(screen, 195, 4, 10)).toBe(1);
    expect(nearestPoint(screen, 150, 25, 10)).toBe(-1);
  });

  it('picks the nearest node over both networks, or nothing outside the radius', () => {
    const a = new Float32Array([10, 10, 50, 50]);
    const b = new Float32Array([12, 12, Number.NaN, Number.NaN]);
    const sets = [
      { key: 'sparse', screen: a },
      { key: 'dense', screen: b },
    ];
    expect(nearestAcross(sets, 13, 13, 5)).toEqual({ key: 'dense', node: 0 });
    expect(nearestAcross(sets, 49, 50, 5)).toEqual({ key: 'sparse', node: 1 });
    expect(nearestAcross(sets, 100, 100, 5)).toBeNull();
  });
});

describe('activationColor', () => {
  it('goes from dim grey at zero to the sign colours at full scale', () => {
    const zero = activationColor(0, 1);
    const pos = activationColor(1, 1);
    const neg = activationColor(-1, 1);
    expect(Math.max(...zero)).toBeLessThan(0.4);
    expect(pos[0]).toBeGreaterThan(pos[2]);
    expect(neg[2]).toBeGreaterThan(neg[0]);
    expect(pos[0]).toBeGreaterThanOrEqual(POSITIVE[0] - 1e-9);
    expect(neg[2]).toBeGreaterThanOrEqual(NEGATIVE[2] - 1e-9);
  });
});
