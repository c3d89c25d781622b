// Achievable memory bandwidth of this adapter: a vec4 copy (shaders/copy.wgsl) of `bytes`, repeated
// inside one compute pass so the timed span sits well above the timer's resolution. The roofline and the
// benchmark panel quote kernels' effective GB/s against this number.
import copyCode from '../../../shaders/copy.wgsl?raw';
import { storageBuffer, uniformU32 } from '../buffers';
import type { GpuContext } from '../context';
import { bindBuffers, getPipeline, kernelLayout } from '../pipelines';
import type { TimerSource } from '../timer';
import { GpuTiming, type TimedStep } from '../timing';
import { ceilDiv, type Dispatch, disposeDispatches } from './dispatch';

/** The shader's override WG; the grid and the stride below are sized with it. */
const WG = 256;
/** Workgroups per copy dispatch; the shader's grid-stride loop covers the rest. */
const MAX_GROUPS = 4096;

export interface CopyBandwidth {
  /** (read + write bytes) / median time, in GB/s (1e9 bytes per second). */
  gbps: number;
  /** Median time of one copy of `bytes`. */
  medianMs: number;
  /** Bytes copied by one copy (each is read once and written once). */
  bytes: number;
  timer: TimerSource;
}

export interface CopyOptions {
  /** Timed passes; the median is reported. */
  reps?: number;
  /** Copies per timed pass. */
  copiesPerPass?: number;
}

/** Default copy size: 64 MiB, 4 MiB on a CPU-emulated (fallback) adapter, capped by the binding limit. */
function defaultCopyBytes(ctx: GpuContext): number {
  const wanted = ctx.info.isFallbackAdapter ? 4 << 20 : 64 << 20;
  return Math.min(wanted, ctx.limits.maxStorageBufferBindingSize, ctx.limits.maxBufferSize);
}

/** Grid for copying `vec4s` vec4s: [workgroups, 1, 1]; the stride the shader steps by is workgroups × WG. */
export function copyDispatchSize(vec4s: number): [number, number, number] {
  return [Math.max(1, Math.min(MAX_GROUPS, ceilDiv(vec4s, WG))), 1, 1];
}

export async function measureCopyBandwidth(
  ctx: GpuContext,
  bytes = defaultCopyBytes(ctx),
  reps = 5,
  options: CopyOptions = {},
): Promise<CopyBandwidth> {
  const { device } = ctx;
  const size = Math.max(16, Math.floor(bytes / 16) * 16);
  const vec4s = size / 16;
  const copiesPerPass = options.copiesPerPass ?? (ctx.info.isFallbackAdapter ? 2 : 20);
  const { bindGroupLayout, pipelineLayout } = kernelLayout(device, 'Copy', [1, 1, 1]);
  const pipeline = await getPipeline(device, {
    shader: { id: 'copy', code: copyCode },
    layout: pipelineLayout,
    constants: { WG },
  });
  const src = storageBuffer(device, 'Copy.src', size);
  const dst = storageBuffer(device, 'Copy.dst', size);
  const workgroups = copyDispatchSize(vec4s);
  // 4 × u32: vec4 count, grid stride in invocations, pad, pad.
  const params = uniformU32(device, 'Copy.params', [vec4s, workgroups[0] * WG, 0, 0]);
  const dispatch: Dispatch = {
    label: 'Copy.vec4',
    pipeline,
    bindGroup: bindBuffers(device, 'Copy.bindGroup', bindGroupLayout, [src, dst, params]),
    workgroups,
    uniforms: [params],
  };
  const timing = new GpuTiming(device, 1, 'Copy');
  const pass: TimedStep[] = [
    { kind: 'pass', label: 'Copy.pass', dispatches: [dispatch], repeats: copiesPerPass },
  ];
  try {
    // Warm-up: first-touch allocation and pipeline residency stay out of the measurement.
    await timing.untimed(pass);
    const times: number[] = [];
    for (let r = 0; r < reps; r++) {
      const [ms] = await timing.run(pass); // one copy's time
      if (Number.isFinite(ms) && ms > 0) times.push(ms);
    }
    if (times.length === 0) throw new Error('measureCopyBandwidth: no valid timing came back');
    times.sort((a, b) => a - b);
    const medianMs = times[times.length >> 1];
    return { gbps: (2 * size) / (medianMs * 1e6), medianMs, bytes: size, timer: timing.source };
  } finally {
    timing.dispose();
    src.destroy();
    dst.destroy();
    disposeDispatches([dispatch]);
  }
}
