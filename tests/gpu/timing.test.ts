// The one GPU timing loop (src/gpu/timing.ts), with timestamp queries and on a device without them (wall
// clock): every timed pass gets a time, untimed copies run in order between the passes, and a pass with
// `repeats` really encodes its dispatches that many times (x += y three times gives x + 3y).
import { describe, expect, it } from 'vitest';
import { readFloat32, storageBuffer, uploadStorage } from '../../src/gpu/buffers';
import type { GpuContext } from '../../src/gpu/context';
import { ElementwiseKernels } from '../../src/gpu/kernels/elementwise';
import { GpuTiming, type TimedStep } from '../../src/gpu/timing';
import { Rng } from '../../src/math/rng';
import { createNodeGpu } from '../../src/node/dawn';
import { expectClose, gpuContext, withErrorScopes } from './harness';

async function check(device: GPUDevice, kernels: ElementwiseKernels, expected: 'gpu-timestamp' | 'wall') {
  const n = 1000; // not a multiple of the workgroup size
  const rng = new Rng(3);
  const x0 = rng.uniformArray(n);
  const y = rng.uniformArray(n);
  const x = uploadStorage(device, 'TimingTest.x', x0);
  const yBuf = uploadStorage(device, 'TimingTest.y', y);
  const snapshot = storageBuffer(device, 'TimingTest.snapshot', 4 * n);
  const add = kernels.residualAdd({ x, y: yBuf }, n, 'TimingTest.add');
  const steps: TimedStep[] = [
    { kind: 'pass', label: 'add x3', dispatches: [add], repeats: 3 },
    { kind: 'copy', copy: { src: x, srcOffset: 0, dst: snapshot, dstOffset: 0, size: 4 * n } },
    { kind: 'pass', label: 'add', dispatches: [add] },
  ];
  const timing = new GpuTiming(device, 2, 'TimingTest');
  expect(timing.source).toBe(expected);
  const ms = await withErrorScopes(device, () => timing.run(steps));
  expect(ms).toHaveLength(2);
  for (const t of ms) expect(Number.isFinite(t) && t >= 0).toBe(true);
  // The copy ran between the passes: the snapshot holds x + 3y, the buffer x + 4y.
  expectClose(
    await readFloat32(device, snapshot, 4 * n),
    x0.map((v, i) => v + 3 * y[i]),
    1e-5,
    1e-5,
  );
  expectClose(
    await readFloat32(device, x, 4 * n),
    x0.map((v, i) => v + 4 * y[i]),
    1e-5,
    1e-5,
  );
  await timing.untimed([steps[0]]);
  expectClose(
    await readFloat32(device, x, 4 * n),
    x0.map((v, i) => v + 7 * y[i]),
    1e-5,
    1e-5,
  );
  timing.dispose();
  for (const b of [x, yBuf, snapshot]) b.destroy();
}

describe('GpuTiming', () => {
  it('times passes with timestamp queries, copies in between, repeats encoded', async () => {
    const ctx = await gpuContext();
    expect(ctx.features.timestampQuery).toBe(true); // the adapters we test on have them
    await check(ctx.device, await ElementwiseKernels.create(ctx), 'gpu-timestamp');
  });

  it('falls back to the wall clock on a device without timestamp queries', async () => {
    const adapter = await (await createNodeGpu()).requestAdapter();
    if (!adapter) throw new Error('no WebGPU adapter');
    const device = await adapter.requestDevice({ label: 'TimingTest.noTimestamps' }); // no features asked
    expect(device.features.has('timestamp-query')).toBe(false);
    // The kernels only read the context's device.
    const kernels = await ElementwiseKernels.create({ device } as GpuContext);
    await check(device, kernels, 'wall');
    device.destroy();
  });
});
