// Device limits checked before every allocation, and GPU work run inside error scopes, so that a buffer
// the adapter cannot hold is a clear error naming the limit — never a validation message on the console
// beside a result of zeros.
import { formatBytes } from '../params/limits';

export class GpuLimitError extends Error {
  override name = 'GpuLimitError';
}

/** A GPU job that raised a validation, out-of-memory or internal error: its results are not to be used. */
export class GpuJobError extends Error {
  override name = 'GpuJobError';
}

/**
 * Throw unless a buffer of `bytes` fits the device: maxBufferSize always, and for a storage buffer (bound
 * whole) maxStorageBufferBindingSize too.
 */
export function checkBufferSize(device: GPUDevice, label: string, bytes: number, storage = true): void {
  const { maxBufferSize, maxStorageBufferBindingSize } = device.limits;
  const [limit, name] =
    storage && maxStorageBufferBindingSize < maxBufferSize
      ? [maxStorageBufferBindingSize, 'maxStorageBufferBindingSize']
      : [maxBufferSize, 'maxBufferSize'];
  if (!(bytes <= limit)) {
    throw new GpuLimitError(
      `${label}: a GPU buffer of ${formatBytes(bytes)} (${bytes} bytes) is over this device's ${name} of ` +
        `${formatBytes(limit)}; use a smaller input or --backend cpu`,
    );
  }
}

const SCOPES: GPUErrorFilter[] = ['validation', 'out-of-memory', 'internal'];

/**
 * Validation, out-of-memory and internal error scopes opened around a stretch of GPU work; `close` pops
 * them and throws a GpuJobError naming `what` and the first messages if any error was raised meanwhile.
 */
export class GpuErrorScope {
  private constructor(private readonly device: GPUDevice | null) {}

  /** Opens the scopes on `device`; with null (a CPU run) it does nothing and `close` never throws. */
  static open(device: GPUDevice | null): GpuErrorScope {
    if (device) for (const filter of SCOPES) device.pushErrorScope(filter);
    return new GpuErrorScope(device);
  }

  async close(what: string): Promise<void> {
    if (!this.device) return;
    const errors: string[] = [];
    for (let i = SCOPES.length - 1; i >= 0; i--) {
      const error = await this.device.popErrorScope().catch(() => null);
      if (error) errors.push(`${SCOPES[i]}: ${error.message.split('\n')[0].slice(0, 300)}`);
    }
    if (errors.length > 0) throw new GpuJobError(`${what} failed on the GPU (${errors.join('; ')})`);
  }
}

/**
 * Run `job` inside the error scopes; any error raised while it ran fails the job (GpuJobError) instead of
 * letting its numbers through. An error of the job itself is rethrown when the GPU raised none. The scopes
 * are popped on every path. With a null device (a CPU run) it just runs `job`.
 */
export async function withGpuErrors<T>(
  device: GPUDevice | null,
  what: string,
  job: () => Promise<T>,
): Promise<T> {
  const scope = GpuErrorScope.open(device);
  let result: T;
  try {
    result = await job();
  } catch (err) {
    await scope.close(what); // a GPU error explains the failure better than its consequence
    throw err;
  }
  await scope.close(what);
  return result;
}
