// The CLI's WebGPU context (Dawn), with a clear message when it falls back to the CPU.
import { GpuContext, GpuUnavailableError } from '../gpu/context';
import { createNodeGpu, nodeGpuHint } from '../node/dawn';

/** WebGPU errors that no error scope caught: any of them fails the command (main checks after it ran). */
export const uncapturedGpuErrors: string[] = [];

export type CliBackend = { kind: 'webgpu'; ctx: GpuContext } | { kind: 'cpu'; reason: string };

/** `--backend webgpu` (default): try Dawn, and fall back to the CPU with a stated reason. */
export async function openBackend(requested: 'webgpu' | 'cpu'): Promise<CliBackend> {
  if (requested === 'cpu') return { kind: 'cpu', reason: 'requested with --backend cpu' };
  try {
    const gpu = await createNodeGpu();
    const ctx = await GpuContext.create(gpu, {
      onError: (m) => {
        uncapturedGpuErrors.push(m);
        console.error(`WebGPU error: ${m.slice(0, 500)}`);
      },
    });
    return { kind: 'webgpu', ctx };
  } catch (err) {
    const reason = err instanceof GpuUnavailableError ? err.reason : String(err);
    console.error(`sparsescope: WebGPU unavailable (${reason}); running on the CPU. Hint: ${nodeGpuHint()}`);
    return { kind: 'cpu', reason };
  }
}
