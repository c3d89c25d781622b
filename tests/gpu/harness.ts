// Shared GPU test harness: a real WebGPU device (Dawn in Node; SwiftShader where there is no GPU).
// No adapter is a failure, never a skip: a GPU test that silently ran elsewhere proves nothing.
import { expect } from 'vitest';
import { GpuContext } from '../../src/gpu/context';
import { createNodeGpu, nodeGpuHint } from '../../src/node/dawn';

let shared: Promise<GpuContext> | null = null;

export function gpuContext(): Promise<GpuContext> {
  if (!shared) {
    shared = (async () => {
      const gpu = await createNodeGpu();
      try {
        return await GpuContext.create(gpu, {
          onError: (m) => console.error(`uncaptured WebGPU error: ${m}`),
        });
      } catch (err) {
        throw new Error(`GPU tests need a WebGPU adapter: ${(err as Error).message}. Hint: ${nodeGpuHint()}`);
      }
    })();
  }
  return shared;
}

/** Run `fn` inside validation and out-of-memory error scopes; any captured error fails the test. */
export async function withErrorScopes<T>(device: GPUDevice, fn: () => Promise<T>): Promise<T> {
  device.pushErrorScope('validation');
  device.pushErrorScope('out-of-memory');
  let result: T;
  try {
    result = await fn();
  } finally {
    const oom = await device.popErrorScope();
    const validation = await device.popErrorScope();
    expect(oom?.message ?? null, 'out-of-memory error').toBeNull();
    expect(validation?.message ?? null, 'validation error').toBeNull();
  }
  return result;
}

/** |gpu − ref| ≤ atol + rtol·|ref| elementwise; NaN anywhere fails. Reports the worst element. */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  atol = 1e-4,
  rtol = 1e-4,
): void {
  expect(actual.length, 'length').toBe(expected.length);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const excess = Math.abs(a - e) - (atol + rtol * Math.abs(e));
    if (!(excess <= 0) && (worst < 0 || !(excess <= worstExcess))) {
      worst = i;
      worstExcess = excess;
      if (Number.isNaN(a) || Number.isNaN(e)) break;
    }
  }
  if (worst >= 0) {
    throw new Error(
      `element ${worst}: got ${actual[worst]}, expected ${expected[worst]} (atol ${atol}, rtol ${rtol}, ` +
        `${expected.length} elements)`,
    );
  }
}
