// Collapsed runs of blocks on the spine (src/scene/spineGroups.ts, timingModel blockRuns/groupTime): every
// block in exactly one run, a run's time the sum of its blocks' anchors, and the collapse grows and resets.
import { describe, expect, it } from 'vitest';
import type { LayerTiming } from '../../src/contracts';
import { runName } from '../../src/scene/spineGroupRow';
import { SpineGroups } from '../../src/scene/spineGroups';
import { blockRuns, groupTime, summarizeTimings } from '../../src/scene/timingModel';

function rows(blocks: number): LayerTiming[] {
  const out: LayerTiming[] = [{ layer: 0, op: 'embed', ms: 0.5, path: 'sparse', source: 'wall' }];
  for (let b = 0; b < blocks; b++) {
    out.push({ layer: b, op: 'attn', ms: 1 + b, path: 'sparse', source: 'wall' });
    out.push({ layer: b, op: 'mlp', ms: 10 * (b + 1), path: 'sparse', source: 'wall' });
  }
  out.push({ layer: blocks, op: 'unembed', ms: 7, path: 'sparse', source: 'wall' });
  return out;
}

describe('spine block groups', () => {
  it('cuts the blocks into runs that cover each block once, the last run shorter', () => {
    const layers = Array.from({ length: 12 }, (_, b) => b);
    expect(blockRuns(layers, 4)).toEqual([
      { first: 0, last: 3 },
      { first: 4, last: 7 },
      { first: 8, last: 11 },
    ]);
    const runs = blockRuns(layers.concat(layers), 8); // duplicates (attn and mlp of a block) count once
    expect(runs).toEqual([
      { first: 0, last: 7 },
      { first: 8, last: 11 },
    ]);
    expect(blockRuns(layers, 1)).toHaveLength(12);
    for (const size of [1, 2, 3, 5, 7, 12, 30]) {
      const covered = blockRuns(layers, size).flatMap((r) =>
        layers.filter((b) => b >= r.first && b <= r.last),
      );
      expect(covered).toEqual(layers);
    }
  });

  it("a run's time is the sum of its blocks' anchors per op; embed and unembed stay out", () => {
    const s = summarizeTimings(rows(12)).sparse;
    const g = groupTime(s, 3, 9, ['attn', 'mlp']);
    const attn = [3, 4, 5, 6, 7, 8, 9].reduce((t, b) => t + 1 + b, 0);
    const mlp = [3, 4, 5, 6, 7, 8, 9].reduce((t, b) => t + 10 * (b + 1), 0);
    expect(g.ops).toEqual([
      { op: 'attn', ms: attn },
      { op: 'mlp', ms: mlp },
    ]);
    expect(g.ms).toBe(attn + mlp);
    // All runs together plus embed and unembed: the headline.
    const all = blockRuns([...Array(12).keys()], 5).reduce(
      (t, r) => t + groupTime(s, r.first, r.last, ['attn', 'mlp']).ms,
      0,
    );
    expect(all + 0.5 + 7).toBeCloseTo(s.totalMs, 9);
  });

  it('grows by doubling until one run, stops while a run is expanded, resets on a new model', () => {
    const g = new SpineGroups();
    g.forModel('gpt2-small:64');
    g.blocks = 30;
    expect(g.collapsed([...Array(30).keys()])).toEqual([]);
    expect(g.grow()).toBe(true);
    expect(g.size).toBe(2);
    while (g.grow());
    expect(g.size).toBe(30);
    g.size = 8;
    const runs = g.collapsed([...Array(30).keys()]);
    expect(runs.map((r) => r.first)).toEqual([0, 8, 16, 24]);
    g.toggle(8);
    expect(g.collapsed([...Array(30).keys()]).map((r) => r.first)).toEqual([0, 16, 24]);
    expect(g.grow()).toBe(false); // the user opened a run: leave the layout alone
    g.forModel('gpt2-small:64');
    expect(g.size).toBe(8);
    g.forModel('graph-challenge:31');
    expect(g.size).toBe(1);
    expect(g.expanded.size).toBe(0);
  });

  it('names a run as the timing list names its ends', () => {
    expect(runName('block 3', 'block 5')).toEqual({ noun: 'blocks', range: '3–5' });
    expect(runName('layer 29', 'layer 30')).toEqual({ noun: 'layers', range: '29–30' });
  });
});
