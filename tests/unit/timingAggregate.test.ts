// The one aggregation of timings (src/scene/timingModel.ts): headline = Σ blocks = Σ ops, layer norms
// counted once, the op split adds up to the block it sits under, on hand-made rows shaped like each engine's.
import { describe, expect, it } from 'vitest';
import type { LayerTiming } from '../../src/contracts';
import { layerTimings } from '../../src/engine/timings';
import { splitText } from '../../src/scene/annotations';
import {
  anchorTime,
  compactMs,
  formatMs,
  type PathTimes,
  summarizeTimings,
} from '../../src/scene/timingModel';
import { timingTitle } from '../../src/scene/timingText';

const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);

function expectConsistent(p: PathTimes): void {
  const blocks = [...p.anchors.values()];
  expect(p.totalMs).toBeCloseTo(sum(blocks.map((b) => b.ms)), 9);
  for (const b of blocks) expect(sum(b.split.map((s) => s.ms))).toBeCloseTo(b.ms, 9);
}

describe('timing aggregation', () => {
  it('a block drawn without a layer number (embed, unembed) keeps its measured spread for the hover text', () => {
    const spread = { p10: 0.03, p90: 0.05, samples: 7 };
    const rows: LayerTiming[] = [
      { layer: 0, op: 'embed', path: 'sparse', ms: 0.04, source: 'wall', ...spread },
      { layer: 2, op: 'unembed', path: 'sparse', ms: 1.5, source: 'wall', p10: 1.4, p90: 1.6, samples: 7 },
    ];
    const sparse = summarizeTimings(rows).sparse;
    const embed = anchorTime(sparse, { op: 'embed' })!;
    expect(embed.measured?.samples).toBe(7);
    expect(timingTitle(embed.measured ?? embed)).toMatch(/^median .*p10–p90 .*7 runs$/);
    expect(anchorTime(sparse, { op: 'unembed' })!.measured?.p90).toBe(1.6);
  });

  it('WebGPU-shaped rows (every pass + attn/mlp totals): layer norms counted once, Σ ops = headline', () => {
    // Passes of a 1-layer model; layerTimings adds the attn/mlp totals exactly as the backend does.
    const passes = [
      { layer: 0, op: 'embed', ms: 0.5 },
      { layer: 0, op: 'ln1', ms: 40 },
      { layer: 0, op: 'qkv', ms: 1.3 },
      { layer: 0, op: 'attn.core', ms: 18 },
      { layer: 0, op: 'attn.proj', ms: 0.45 },
      { layer: 0, op: 'attn.add', ms: 0.25 },
      { layer: 0, op: 'ln2', ms: 2 },
      { layer: 0, op: 'fc', ms: 3 },
      { layer: 0, op: 'fc.proj', ms: 3 },
      { layer: 0, op: 'mlp.add', ms: 0.1 },
      { layer: 1, op: 'lnf', ms: 0.2 },
      { layer: 1, op: 'unembed', ms: 30 },
    ];
    const rows = layerTimings(passes, 'sparse', 'gpu-timestamp');
    const s = summarizeTimings(rows);
    const passSum = sum(passes.map((p) => p.ms));
    expect(s.sparse.totalMs).toBeCloseTo(passSum, 9); // not passSum + ln1 + ln2
    expectConsistent(s.sparse);
    const attn = s.sparse.anchors.get('0:attn')!;
    expect(attn.ms).toBeCloseTo(40 + 1.3 + 18 + 0.45 + 0.25, 9);
    // The 40 ms layer norm is on the split line, not missing from it.
    expect(attn.split.map((p) => p.op)).toEqual(['ln1', 'qkv', 'attn.core', 'attn.proj', 'other']);
    expect(s.sparse.anchors.get('1:unembed')!.split.map((p) => p.op)).toEqual(['unembed', 'other']);
    expect([...s.sparse.anchors.keys()]).toEqual(['0:embed', '0:attn', '0:mlp', '1:unembed']);
  });

  it('CPU-shaped rows (matmuls + block aggregates that hold the rest): the rest is one "other" part', () => {
    const rows: LayerTiming[] = [
      { layer: 0, op: 'qkv', path: 'dense', ms: 2, source: 'wall' },
      { layer: 0, op: 'attn.proj', path: 'dense', ms: 1, source: 'wall' },
      { layer: 0, op: 'attn', path: 'dense', ms: 5, source: 'wall' },
      { layer: 0, op: 'fc', path: 'dense', ms: 0, source: 'wall' },
      { layer: 0, op: 'fc.proj', path: 'dense', ms: 4, source: 'wall' },
      { layer: 0, op: 'mlp', path: 'dense', ms: 4, source: 'wall' },
      { layer: 1, op: 'unembed', path: 'dense', ms: 7, source: 'wall' },
    ];
    const s = summarizeTimings(rows);
    expectConsistent(s.dense);
    expect(s.dense.totalMs).toBe(16);
    expect(s.dense.anchors.get('0:attn')!.split).toEqual([
      { op: 'qkv', ms: 2 },
      { op: 'attn.proj', ms: 1 },
      { op: 'other', ms: 2 },
    ]);
    // A zero reading is below the wall clock's resolution, and says so.
    expect(s.resolutionMs).toBe(0.1);
    expect(formatMs(0, s.resolutionMs)).toBe('< 0.10 ms');
    expect(compactMs(0, s.resolutionMs)).toBe('<.10');
    expect(compactMs(0.004)).toBe('.004');
  });

  it('the spine split line names the matmuls and the largest other part, and adds up to the block', () => {
    const rows = layerTimings(
      [
        { layer: 0, op: 'ln1', ms: 40 },
        { layer: 0, op: 'qkv', ms: 1.3 },
        { layer: 0, op: 'attn.core', ms: 18 },
        { layer: 0, op: 'attn.proj', ms: 0.45 },
        { layer: 0, op: 'attn.add', ms: 0.25 },
      ],
      'dense',
      'gpu-timestamp',
    );
    const attn = summarizeTimings(rows).dense.anchors.get('0:attn')!;
    const text = splitText(attn, 0.001);
    expect(text).toBe('ln 40  qkv 1.3  proj .45  +18');
    const numbers = text.match(/[\d.]+(?=\s|$)/g)!.map(Number);
    expect(Math.abs(sum(numbers) - attn.ms)).toBeLessThan(0.5); // display rounding only
  });

  it('parts that add up to more than their aggregate (timer noise) define the block', () => {
    const rows: LayerTiming[] = [
      { layer: 0, op: 'fc', path: 'sparse', ms: 3, source: 'wall' },
      { layer: 0, op: 'fc.proj', path: 'sparse', ms: 3, source: 'wall' },
      { layer: 0, op: 'mlp', path: 'sparse', ms: 5, source: 'wall' },
    ];
    const s = summarizeTimings(rows);
    expectConsistent(s.sparse);
    expect(s.sparse.totalMs).toBe(6);
  });
});
