// `bench --all-candidates`: every autotuning candidate of a sweep point timed with the sweep's own protocol,
// side by side with the kernel the point ran (tuned, cached or default). Each candidate is compiled alone
// and freed after its timing; one that cannot be built on this adapter is left out.

import { type CsrShape, csrCandidates, denseCandidates, describeChoice } from '../gpu/autotune/candidates';
import { adapterCaps } from '../gpu/autotune/tuner';
import type { GpuContext } from '../gpu/context';
import type { Dispatch } from '../gpu/kernels/dispatch';
import { DenseMatmul, type DenseShape } from '../gpu/kernels/matmul';
import { type CsrBuffers, CsrSpmm, csrTuningFor } from '../gpu/kernels/spmmCsr';
import type { TimingResult } from './timeDispatch';

type Operands =
  | { kind: 'dense'; x: GPUBuffer; w: GPUBuffer; bias: GPUBuffer; y: GPUBuffer; shape: DenseShape }
  | { kind: 'csr'; x: GPUBuffer; csr: CsrBuffers; bias: GPUBuffer; y: GPUBuffer; shape: CsrShape };

export interface CandidateTiming {
  variant: string;
  kernel: string;
  timing: TimingResult;
}

/** Time each candidate of the point with `time` (which frees the dispatch it is given). */
export async function timeCandidates(
  ctx: GpuContext,
  operands: Operands,
  time: (d: Dispatch) => Promise<TimingResult>,
): Promise<CandidateTiming[]> {
  const caps = adapterCaps(ctx);
  const out: CandidateTiming[] = [];
  const biasModes = ['bias'] as const;
  if (operands.kind === 'dense') {
    const { x, w, bias, y, shape } = operands;
    for (const c of denseCandidates(shape, caps)) {
      const kernel = await DenseMatmul.create(ctx, {
        tuning: c.tuning,
        variants: [c.variant],
        biasModes,
      }).catch(() => null);
      if (!kernel) continue;
      try {
        const timing = await time(kernel.bind({ x, w, bias, y }, shape, c.variant));
        out.push({ variant: c.variant, kernel: describeChoice(c), timing });
      } finally {
        kernel.dispose();
      }
    }
    return out;
  }
  const { x, csr, bias, y, shape } = operands;
  for (const c of csrCandidates(shape, caps, csrTuningFor(ctx))) {
    const kernel = await CsrSpmm.create(ctx, { tuning: c.tuning, variants: [c.variant], biasModes }).catch(
      () => null,
    );
    if (!kernel?.variants.includes(c.variant)) continue;
    try {
      const timing = await time(kernel.bind({ x, csr, bias, y }, shape, c.variant));
      out.push({ variant: c.variant, kernel: describeChoice(c), timing });
    } finally {
      kernel.dispose();
    }
  }
  return out;
}
