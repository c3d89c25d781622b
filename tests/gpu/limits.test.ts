// Device limits before allocation and error scopes around GPU jobs (src/gpu/limits.ts), on real WebGPU.
import { describe, expect, it } from 'vitest';
import { readFloat32, storageBuffer } from '../../src/gpu/buffers';
import {
  checkBufferSize,
  GpuErrorScope,
  GpuJobError,
  GpuLimitError,
  withGpuErrors,
} from '../../src/gpu/limits';
import { gpuContext } from './harness';

describe('GPU limits and error scopes', () => {
  it('a buffer over the device limit is refused before allocation, naming the limit and the size', async () => {
    const { device } = await gpuContext();
    const limit = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
    expect(() => storageBuffer(device, 'Test.tooBig', limit + 4)).toThrow(GpuLimitError);
    expect(() => storageBuffer(device, 'Test.tooBig', limit + 4)).toThrow(
      /Test\.tooBig: a GPU buffer of .* is over this device's max(StorageBufferBinding|Buffer)Size/,
    );
    // 50000×50000 floats (the issue's dense A) is refused; a small one passes.
    expect(() => checkBufferSize(device, 'A', 4 * 50000 * 50000)).toThrow(GpuLimitError);
    checkBufferSize(device, 'A', 4 * 1024);
  });

  it('a validation error inside a job fails the job instead of returning its numbers', async () => {
    const { device } = await gpuContext();
    const y = storageBuffer(device, 'Test.y', 16);
    const job = withGpuErrors(device, 'the test job', async () => {
      // Copy past the end of the buffer: a validation error, and the readback would be zeros.
      const encoder = device.createCommandEncoder();
      encoder.copyBufferToBuffer(y, 0, y, 8, 16);
      device.queue.submit([encoder.finish()]);
      return readFloat32(device, y, 16);
    });
    await expect(job).rejects.toThrow(GpuJobError);
    await expect(
      withGpuErrors(device, 'a clean job', async () => readFloat32(device, y, 16)),
    ).resolves.toHaveLength(4);
    y.destroy();
  });
  it('a job that throws after a GPU validation error reports the GPU error, and the scopes are popped', async () => {
    const { device } = await gpuContext();
    const y = storageBuffer(device, 'Test.y', 16);
    const failing = withGpuErrors(device, 'the throwing job', async () => {
      const encoder = device.createCommandEncoder();
      encoder.copyBufferToBuffer(y, 0, y, 8, 16); // a validation error …
      device.queue.submit([encoder.finish()]);
      throw new Error('its consequence'); // … then the job fails because of it
    });
    await expect(failing).rejects.toThrow(GpuJobError);
    await expect(
      withGpuErrors(device, 'the throwing job', async () => {
        throw new Error('its consequence');
      }),
    ).rejects.toThrow(/^its consequence$/); // no GPU error: the job's own error comes through
    // Balanced: nothing of ours is left pushed, so one more pop finds an empty stack.
    await expect(device.popErrorScope()).rejects.toThrow();
    // A scope closed by hand after a throw (the CLI pattern) leaves the stack balanced too.
    const scope = GpuErrorScope.open(device);
    await scope.close('a clean stretch');
    await expect(device.popErrorScope()).rejects.toThrow();
    y.destroy();
  });

  it('with no device (a CPU run) the job just runs, its error rethrown', async () => {
    await expect(withGpuErrors(null, 'cpu', async () => 7)).resolves.toBe(7);
    await expect(
      withGpuErrors(null, 'cpu', async () => {
        throw new RangeError('cpu failure');
      }),
    ).rejects.toThrow(RangeError);
  });
});
