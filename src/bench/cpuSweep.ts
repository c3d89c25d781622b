// The same dense vs CSR sweep on the CPU kernels (matmulFast, spmmFast), wall clock, one run.
import { denseCpuKernel, matmulFast } from '../math/matmul';
import { Rng } from '../math/rng';
import { spmmFast } from '../math/spmm';
import {
  type BenchRecord,
  benchRecord,
  type SweepConfig,
  type SweepProgress,
  sweepSize,
} from './kernelSweep';
import { randomCsr } from './matrices';
import { summarize } from './stats';

/** Time `fn` with warm-up and enough repeats per sample to last ≥ targetMs; ms per call. */
function timeCpu(fn: () => void, samples = 7, targetMs = 20): { ms: number[]; repeats: number } {
  fn();
  const t0 = performance.now();
  fn();
  const single = Math.max(performance.now() - t0, 1e-3);
  const repeats = Math.max(1, Math.min(1000, Math.ceil(targetMs / single)));
  const ms: number[] = [];
  for (let s = 0; s < samples; s++) {
    const start = performance.now();
    for (let r = 0; r < repeats; r++) fn();
    ms.push((performance.now() - start) / repeats);
  }
  return { ms, repeats };
}

/** Yield to the event loop so a page stays responsive and a cancel can land (no-op cost in Node). */
const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export async function runCpuSweep(
  config: SweepConfig,
  onProgress?: (p: SweepProgress) => void,
  signal?: AbortSignal,
): Promise<BenchRecord[]> {
  const rng = new Rng(config.seed ?? 1);
  const records: BenchRecord[] = [];
  const total = sweepSize({ ...config, naive: false });
  let done = 0;
  const samples = config.timing?.samples ?? 7;
  for (const shape of config.shapes) {
    const { n, k } = shape;
    const label = shape.label ?? `${n}×${k}`;
    const bias = rng.uniformArray(n);
    for (const batch of config.batches) {
      const x = rng.uniformArray(batch * k);
      const y = new Float32Array(batch * n);
      const push = (
        path: 'dense' | 'sparse',
        variant: string,
        density: number,
        nnz: number,
        t: { ms: number[]; repeats: number },
      ) => {
        const point = { path, variant, shape: label, n, k, batch, density, nnz };
        const where = { backend: 'cpu' as const, adapter: cpuKernelLabel() };
        records.push(benchRecord(where, point, { ...summarize(t.ms), repeats: t.repeats, timer: 'wall' }));
        done++;
      };
      const step = async (current: string) => {
        if (signal?.aborted) throw new DOMException('benchmark cancelled', 'AbortError');
        onProgress?.({ done, total, current });
        await tick();
      };
      await step(`cpu dense ${label} batch ${batch}`);
      const w = rng.uniformArray(n * k);
      push(
        'dense',
        'cpu-blocked',
        1,
        n * k,
        timeCpu(() => matmulFast(x, w, bias, batch, n, k, 'none', 32, y), samples),
      );
      for (const density of config.densities) {
        await step(`cpu sparse ${label} batch ${batch} density ${density}`);
        const csr = randomCsr(rng, n, k, density);
        push(
          'sparse',
          'cpu-csr',
          density,
          csr.nnz,
          timeCpu(() => spmmFast(x, csr, bias, batch, 'none', 32, y), samples),
        );
      }
    }
  }
  onProgress?.({ done, total, current: 'done' });
  return records;
}

/** What the CPU sweep's kernels run on: WASM SIMD (large enough shapes) where the browser has it. */
export function cpuKernelLabel(): string {
  return denseCpuKernel() === 'wasm-simd'
    ? 'WASM SIMD, JavaScript for small shapes (one thread)'
    : 'JavaScript (one thread)';
}
