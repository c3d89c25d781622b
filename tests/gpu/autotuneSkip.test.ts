// Skip during a shape's tuning: that shape is not recorded (neither tuned nor 'default'), so the next
// load tunes it; the shapes finished before the Skip are kept.
import { beforeAll, describe, expect, it } from 'vitest';
import { denseKey } from '../../src/gpu/autotune/table';
import { autotune } from '../../src/gpu/autotune/tuner';
import type { GpuContext } from '../../src/gpu/context';
import { gpuContext } from './harness';

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await gpuContext();
});

describe('autotune, skipped', () => {
  it('does not record the shape in progress when Skip comes mid-way', async () => {
    const first = { batch: 3, n: 20, k: 12 };
    const second = { batch: 3, n: 24, k: 12 };
    const skip = new AbortController();
    const report = await autotune(
      ctx,
      { dense: [first, second], csr: [] },
      {
        budgetMs: 600_000,
        signal: skip.signal,
        // Skip as the second shape starts: the first is finished, the second is in progress.
        onProgress: (p) => {
          if (p.done === 1 && p.current !== 'done') skip.abort();
        },
      },
    );
    expect(Object.keys(report.table)).toEqual([denseKey(first)]);
    expect(report.shapes.map((s) => s.key)).toEqual([denseKey(first)]);
  });
});
