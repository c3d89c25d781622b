import { describe, expect, it } from 'vitest';
import { poisonBuffer, readFloat32, storageBuffer, uploadStorage } from '../../src/gpu/buffers';
import { GpuTimer } from '../../src/gpu/timer';
import { createNodeGpu } from '../../src/node/dawn';
import { gpuContext, withErrorScopes } from './harness';

describe('GpuContext on Dawn', () => {
  it('finds a real adapter and reports its features and limits', async () => {
    const ctx = await gpuContext();
    expect(ctx.device).toBeDefined();
    expect(ctx.limitsRecord().maxStorageBufferBindingSize).toBeGreaterThanOrEqual(128 * 1024 * 1024);
    expect(typeof ctx.features.subgroups).toBe('boolean');
    // The adapter kind drives kernel choices (chooseAttentionVariant, the fallback tunings): it must be
    // read from the adapter, and the label must say it. CI and this machine run SwiftShader, a CPU adapter.
    expect(typeof ctx.info.isFallbackAdapter).toBe('boolean');
    expect(ctx.adapterLabel.endsWith('(fallback)')).toBe(ctx.info.isFallbackAdapter);
    if (/swiftshader/i.test(`${ctx.info.vendor} ${ctx.info.architecture} ${ctx.info.description}`)) {
      expect(ctx.info.isFallbackAdapter).toBe(true);
    }
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
    timer.begin();
    const encoder = ctx.device.createCommandEncoder();
    const writes = timer.pass('empty');
    const pass = encoder.beginComputePass({ timestampWrites: writes });
    pass.end();
    const readback = timer.resolve(encoder);
    ctx.device.queue.submit([encoder.finish()]);
    const results = await timer.read(readback);
    if (timer.source === 'wall') {
      // Without timestamp queries the timer asks for no writes and has nothing to read: callers time the
      // wall clock instead, and the submit above still ran without a validation error.
      expect(writes).toBeUndefined();
      expect(readback).toBeNull();
      expect(results).toEqual([]);
      timer.dispose();
      return;
    }
    expect(writes).toMatchObject({ beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 });
    expect(results).toHaveLength(1);
    expect(results[0].label).toBe('empty');
    expect(results[0].ms).toBeGreaterThanOrEqual(0);
    timer.dispose();
  });

  it('on a device without timestamp queries, says wall clock and asks for no timestamp writes', async () => {
    await gpuContext(); // Dawn is set up
    const adapter = await (await createNodeGpu()).requestAdapter();
    expect(adapter).not.toBeNull();
    const device = await adapter!.requestDevice(); // no optional features: no 'timestamp-query'
    try {
      expect(device.features.has('timestamp-query')).toBe(false);
      const timer = new GpuTimer(device, 4);
      expect(timer.source).toBe('wall');
      timer.begin();
      const encoder = device.createCommandEncoder();
      expect(timer.pass('empty')).toBeUndefined();
      encoder.beginComputePass({ timestampWrites: undefined }).end();
      expect(timer.resolve(encoder)).toBeNull();
      device.queue.submit([encoder.finish()]);
      expect(await timer.read(null)).toEqual([]);
      timer.dispose();
    } finally {
      device.destroy();
    }
  });
});
