// Our dense GEMM against a peer library's matMul (tfjs-backend-webgpu) on the same adapter, in one process:
// y (B×N) = x (B×K)·Wᵀ. Both are timed the same way, by the wall clock, because a peer exposes no
// per-kernel timestamps for one matMul: a sample enqueues `repeats` products back to back and reads the last
// result back, divided by `repeats` (repeats 1: one product plus its readback, the old script's protocol).
// The two are interleaved round by round (ours first on even rounds, the peer first on odd ones), after
// a warm-up that compiles both and compares their outputs. Our kernel alone, timed by GPU timestamps, is
// in the kernel sweep (`sparsescope bench --gemm`).
import { readFloat32, storageBuffer, uploadStorage } from '../gpu/buffers';
import type { GpuContext } from '../gpu/context';
import { disposeDispatches, runDispatches } from '../gpu/kernels/dispatch';
import { chooseDenseVariant, DenseMatmul } from '../gpu/kernels/matmul';
import { Rng } from '../math/rng';
import { type Summary, summarize } from './stats';

/** A peer's matMul, prepared for one shape: `run` enqueues `repeats` products and resolves with the last. */
interface PeerProduct {
  run(repeats: number): Promise<Float32Array>;
  dispose(): void;
}

export interface PeerMatmul {
  name: string; // 'tfjs-backend-webgpu 4.22.0'
  /** x is B×K, w is N×K (row-major); the product must be x·wᵀ. */
  prepare(x: Float32Array, w: Float32Array, batch: number, k: number, n: number): PeerProduct;
}

export interface PeerGemmOptions {
  /** Interleaved timed rounds (default 5). */
  rounds?: number;
  /** Enqueue products until one sample lasts about this long (ms; default 0: one product per sample). */
  targetMs?: number;
  seed?: number;
}

/** One shape: each side's per-product time, median and p10–p90 over the rounds. */
export interface PeerGemmRow {
  shape: string; // '1024×1024·1024×1024'
  batch: number;
  k: number;
  n: number;
  variant: string; // our kernel variant
  peer: string;
  repeats: number; // products per sample, both sides
  ours: Summary;
  peerTime: Summary;
  oursGflops: number; // at the median
  peerGflops: number;
  /** Largest |ours − peer| / (max |peer| + 1e-6) over y: both computed the same product. */
  maxRelDiff: number;
}

/** Time our dense kernel and the peer on one shape (B×K · K×N). */
export async function timePeerGemm(
  ctx: GpuContext,
  peer: PeerMatmul,
  [batch, k, n]: [number, number, number],
  options: PeerGemmOptions = {},
): Promise<PeerGemmRow> {
  const rounds = options.rounds ?? 5;
  const rng = new Rng(options.seed ?? 1);
  const x = rng.uniformArray(batch * k);
  const w = rng.uniformArray(n * k);
  const variant = chooseDenseVariant({ batch, n, k });
  const kernel = await DenseMatmul.create(ctx, { variants: [variant] });
  const { device } = ctx;
  const xb = uploadStorage(device, 'Peers.x', x);
  const wb = uploadStorage(device, 'Peers.w', w);
  const yb = storageBuffer(device, 'Peers.y', 4 * batch * n);
  const dispatch = kernel.bind({ x: xb, w: wb, y: yb }, { batch, n, k });
  const theirs = peer.prepare(x, w, batch, k, n);
  const ours = {
    async run(repeats: number) {
      for (let r = 0; r < repeats; r++) runDispatches(device, [dispatch], 'Peers.ours');
      return readFloat32(device, yb, 4 * batch * n);
    },
  };
  try {
    // Warm-up: compiles both and checks they agree; then one more product each sizes a sample to targetMs.
    const yOurs = await ours.run(1);
    const yPeer = await theirs.run(1);
    const t0 = performance.now();
    await ours.run(1);
    const t1 = performance.now();
    await theirs.run(1);
    const slowest = Math.max(t1 - t0, performance.now() - t1, 1e-3);
    const repeats = Math.max(1, Math.min(1000, Math.ceil((options.targetMs ?? 0) / slowest)));
    const times = { ours: [] as number[], peer: [] as number[] };
    const one = async (side: 'ours' | 'peer') => {
      const s = performance.now();
      await (side === 'ours' ? ours : theirs).run(repeats);
      times[side].push((performance.now() - s) / repeats);
    };
    for (let r = 0; r < rounds; r++) {
      for (const side of r % 2 ? (['peer', 'ours'] as const) : (['ours', 'peer'] as const)) await one(side);
    }
    const flops = 2 * batch * n * k;
    const oursT = summarize(times.ours);
    const peerT = summarize(times.peer);
    return {
      shape: `${batch}×${k}·${k}×${n}`,
      batch,
      k,
      n,
      variant,
      peer: peer.name,
      repeats,
      ours: oursT,
      peerTime: peerT,
      oursGflops: flops / (oursT.medianMs * 1e6),
      peerGflops: flops / (peerT.medianMs * 1e6),
      maxRelDiff: maxRelativeDifference(yOurs, yPeer),
    };
  } finally {
    theirs.dispose();
    disposeDispatches([dispatch]);
    kernel.dispose();
    for (const b of [xb, wb, yb]) b.destroy();
  }
}

/** max |a − b| / (max |b| + 1e-6); Infinity when the lengths differ or a value is not finite. */
export function maxRelativeDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!Number.isFinite(d)) return Number.POSITIVE_INFINITY;
    diff = Math.max(diff, d);
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / (scale + 1e-6);
}
