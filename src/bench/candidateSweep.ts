// `bench --all-candidates`: every autotuning candidate of a sweep point timed with the sweep's own protocol,
// side by side with the kernel the point ran (tuned, cached or default). Each candidate is compiled alone,
// passes the tuner's own check against the CPU reference first (checkedDenseKernel / checkedCsrKernel), and is
// freed after its timing; one that cannot be built here or fails the check is returned as failed, with why.

import { type CsrShape, csrCandidates, denseCandidates, describeChoice } from '../gpu/autotune/candidates';
import { checkedCsrKernel, checkedDenseKernel } from '../gpu/autotune/trials';
import { adapterCaps } from '../gpu/autotune/tuner';
import type { GpuContext } from '../gpu/context';
import type { Dispatch } from '../gpu/kernels/dispatch';
import type { DenseShape } from '../gpu/kernels/matmul';
import { type CsrBuffers, csrTuningFor } from '../gpu/kernels/spmmCsr';
import { Rng } from '../math/rng';
import type { TimingResult } from './timeDispatch';

type Operands =
  | { kind: 'dense'; x: GPUBuffer; w: GPUBuffer; bias: GPUBuffer; y: GPUBuffer; shape: DenseShape }
  | { kind: 'csr'; x: GPUBuffer; csr: CsrBuffers; bias: GPUBuffer; y: GPUBuffer; shape: CsrShape };

export interface CandidateTiming {
  variant: string;
  kernel: string;
  timing: TimingResult;
}

/** A candidate left untimed: it did not build on this adapter or gave a wrong output in the check. */
export interface CandidateFailure {
  variant: string;
  kernel: string;
  reason: string;
}

/** Check, then time each candidate of the point with `time` (which frees the dispatch it is given). */
export async function timeCandidates(
  ctx: GpuContext,
  operands: Operands,
  time: (d: Dispatch) => Promise<TimingResult>,
): Promise<{ timed: CandidateTiming[]; failed: CandidateFailure[] }> {
  const caps = adapterCaps(ctx);
  const rng = new Rng(7); // the check's own data: the sweep's random stream is the same with or without it
  const timed: CandidateTiming[] = [];
  const failed: CandidateFailure[] = [];
  const one = async <K extends { dispose(): void }>(
    c: { variant: string },
    kernel: string,
    open: () => Promise<K>,
    bind: (k: K) => Dispatch,
  ) => {
    let k: K | null = null;
    let d: Dispatch;
    try {
      k = await open();
      d = bind(k); // the real shape can be past this adapter's limits for one candidate
    } catch (err) {
      k?.dispose();
      failed.push({ variant: c.variant, kernel, reason: (err as Error).message });
      return;
    }
    try {
      timed.push({ variant: c.variant, kernel, timing: await time(d) });
    } finally {
      k.dispose();
    }
  };
  if (operands.kind === 'dense') {
    const { x, w, bias, y, shape } = operands;
    for (const c of denseCandidates(shape, caps)) {
      await one(
        c,
        describeChoice(c),
        () => checkedDenseKernel(ctx, c, shape, rng),
        (k) => k.bind({ x, w, bias, y }, shape, c.variant),
      );
    }
  } else {
    const { x, csr, bias, y, shape } = operands;
    for (const c of csrCandidates(shape, caps, csrTuningFor(ctx))) {
      await one(
        c,
        describeChoice(c),
        () => checkedCsrKernel(ctx, c, shape, rng),
        (k) => k.bind({ x, csr, bias, y }, shape, c.variant),
      );
    }
  }
  return { timed, failed };
}
