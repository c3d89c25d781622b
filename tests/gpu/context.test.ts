import { describe, expect, it } from 'vitest';
import { poisonBuffer, readFloat32, storageBuffer, uploadStorage } from '../../src/gpu/buffers';
import { GpuTimer } from '../../src/gpu/timer';
import { gpuContext, withErrorScopes } from './harness';

describe('GpuContext on Dawn', () => {
  it('finds a real adapter and reports its features and limits', async () => {
    const ctx = await gpuContext();
    expect(ctx.device).toBeDefined();
    expect(ctx.limitsRecord().maxStorageBufferBindingSize).toBeGreaterThanOrEqual(128 * 1024 * 1024);
    expect(typeof ctx.features.subgroups).toBe('boolean');
    console.log(`adapter: ${ctx.adapterLabel}`, ctx.features);
  });

  it('round-trips a buffer, and a poisoned buffer reads back as NaN', async () => {
    const ctx = await gpuContext();
    const { device } = ctx;
    await withErrorScopes(device, async () => {
      const data = new Float32Array([1, 2, 3, 4.5, -7]);
      const buffer = uploadStorage(device, 'Test.data', data);
      expect(Array.from(await readFloat32(device, buffer, data.byteLength))).toEqual(Array.from(data));
      const poisoned = storageBuffer(device, 'Test.poisoned', 12);
      poisonBuffer(device, poisoned, 12);
      const back = await readFloat32(device, poisoned, 12);
      expect(Array.from(back).every(Number.isNaN)).toBe(true);
      buffer.destroy();
      poisoned.destroy();
    });
  });

  it('times a pass with timestamp queries when the adapter has them', async () => {
    const ctx = await gpuContext();
    const timer = new GpuTimer(ctx.device, 4);
    expect(timer.source).toBe(ctx.features.timestampQuery ? 'gpu-timestamp' : 'wall');
    if (timer.source === 'wall') return;
    timer.begin();
    const encoder = ctx.device.createCommandEncoder();
    const pass = encoder.beginComputePass({ timestampWrites: timer.pass('empty') });
    pass.end();
    const readback = timer.resolve(encoder);
    ctx.device.queue.submit([encoder.finish()]);
    const results = await timer.read(readback);
    expect(results).toHaveLength(1);
    expect(results[0].label).toBe('empty');
    expect(results[0].ms).toBeGreaterThanOrEqual(0);
    timer.destroy();
  });
});
