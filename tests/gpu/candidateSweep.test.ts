// `bench --all-candidates` on real WebGPU (SwiftShader here): every candidate of a CSR point is checked
// against the CPU reference (the tuner's own check) and then handed to the timer, or comes back as failed
// with its reason; none is left out silently. The timer is a stand-in: this checks which kernels would be
// timed, not how fast they are.
import { describe, expect, it } from 'vitest';
import { timeCandidates } from '../../src/bench/candidateSweep';
import { randomCsr } from '../../src/bench/matrices';
import type { TimingResult } from '../../src/bench/timeDispatch';
import { csrCandidates, describeChoice } from '../../src/gpu/autotune/candidates';
import { adapterCaps } from '../../src/gpu/autotune/tuner';
import { storageBuffer, uploadStorage } from '../../src/gpu/buffers';
import type { GpuContext } from '../../src/gpu/context';
import { type Dispatch, disposeDispatches } from '../../src/gpu/kernels/dispatch';
import { CsrSpmm, csrTuningFor } from '../../src/gpu/kernels/spmmCsr';
import { Rng } from '../../src/math/rng';
import { gpuContext } from './harness';

/** The context on a device whose `breakOne`-th pipeline compile fails (a fresh pipeline cache: a proxy). */
async function contextFailingCompile(breakOne: number | null): Promise<GpuContext> {
  const ctx = await gpuContext();
  if (breakOne === null) return ctx;
  let compiles = 0;
  const device = new Proxy(ctx.device, {
    get(target, name) {
      if (name === 'createComputePipelineAsync') {
        return (d: GPUComputePipelineDescriptor) =>
          ++compiles === breakOne
            ? Promise.reject(new Error('test: compile refused'))
            : target.createComputePipelineAsync(d);
      }
      const v = Reflect.get(target, name);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return new Proxy(ctx, { get: (target, name) => (name === 'device' ? device : Reflect.get(target, name)) });
}

describe('bench --all-candidates', () => {
  it.each([
    ['every candidate builds', null],
    ['one compile fails', 1],
  ])('checks every CSR candidate, then times it, or names it as failed (%s)', async (_, breakOne) => {
    const ctx = await contextFailingCompile(breakOne);
    const { device } = ctx;
    const rng = new Rng(3);
    const [batch, n, k] = [1, 70, 45];
    const uploader = await CsrSpmm.create(ctx, { variants: [] });
    const csr = uploader.upload(device, randomCsr(rng, n, k, 0.1), 'Test.csr');
    const x = uploadStorage(device, 'Test.x', rng.uniformArray(batch * k));
    const bias = uploadStorage(device, 'Test.bias', rng.uniformArray(n));
    const y = storageBuffer(device, 'Test.y', 4 * batch * n);
    const shape = { batch, n, k, nnzPerRow: csr.nnz / csr.rows };
    const handed: string[] = [];
    const time = async (d: Dispatch): Promise<TimingResult> => {
      handed.push(d.label);
      disposeDispatches([d]);
      return { medianMs: 1, p10Ms: 1, p90Ms: 1, timer: 'wall', repeats: 1, samplesMs: [1] } as TimingResult;
    };
    try {
      const { timed, failed } = await timeCandidates(ctx, { kind: 'csr', x, csr, bias, y, shape }, time);
      const all = csrCandidates(shape, adapterCaps(ctx), csrTuningFor(ctx)).map(describeChoice);
      expect(all.length).toBeGreaterThan(1);
      expect([...timed.map((c) => c.kernel), ...failed.map((c) => c.kernel)].sort()).toEqual([...all].sort());
      // Every candidate builds and computes correctly on SwiftShader; the one refused compile is named.
      expect(failed.map((f) => f.reason)).toEqual(breakOne === null ? [] : ['test: compile refused']);
      expect(handed).toHaveLength(timed.length);
    } finally {
      for (const b of [x, bias, y]) b.destroy();
      csr.dispose();
      uploader.dispose();
    }
  });
});
