// Time GPU dispatches honestly: warm up, calibrate how many dispatches one sample repeats inside a single
// pass so each sample stays well above the timer's resolution (Chrome rounds timestamps to 100 µs, Dawn on
// NVIDIA to 65.5 µs unless told not to), then take repeated samples. Per-dispatch ms = sample / repeats.
import type { Dispatch } from '../gpu/kernels/dispatch';
import type { TimerSource } from '../gpu/timer';
import { GpuTiming } from '../gpu/timing';
import { type Summary, summarize } from './stats';

export interface TimingOptions {
  samples?: number; // measured samples (default 9)
  warmup?: number; // untimed samples first (default 2)
  targetSampleMs?: number; // aim for each sample to last at least this long (default 2 ms)
  maxRepeats?: number; // cap on dispatches per sample (default 256)
  repeats?: number; // fixed repeats (skips calibration)
}

export interface TimingResult extends Summary {
  timer: TimerSource;
  repeats: number;
  samplesMs: number[]; // per-dispatch ms of every sample
}

/** One sample: `repeats` copies of `dispatches` in one pass; ms per copy. */
async function sample(timing: GpuTiming, dispatches: Dispatch[], repeats: number): Promise<number> {
  const [ms] = await timing.run([{ kind: 'pass', label: 'Bench.pass', dispatches, repeats }]);
  return ms;
}

export async function timeDispatches(
  device: GPUDevice,
  dispatches: Dispatch[],
  options: TimingOptions = {},
  shared?: GpuTiming,
): Promise<TimingResult> {
  const timing = shared ?? new GpuTiming(device, 1, 'Bench');
  try {
    return await timeWith(timing, dispatches, options);
  } finally {
    if (!shared) timing.dispose();
  }
}

async function timeWith(
  timing: GpuTiming,
  dispatches: Dispatch[],
  options: TimingOptions,
): Promise<TimingResult> {
  const samples = options.samples ?? 9;
  const warmup = options.warmup ?? 2;
  const target = options.targetSampleMs ?? 2;
  const maxRepeats = options.maxRepeats ?? 256;
  for (let i = 0; i < warmup; i++) await sample(timing, dispatches, 1);
  let repeats = options.repeats ?? 1;
  if (options.repeats === undefined) {
    const single = await sample(timing, dispatches, 1);
    // Wall clock includes submit latency, so calibrate on what the timer sees, and cap the cost.
    repeats = single > 0 ? Math.min(maxRepeats, Math.max(1, Math.ceil(target / single))) : maxRepeats;
  }
  const samplesMs: number[] = [];
  for (let i = 0; i < samples; i++) {
    const ms = await sample(timing, dispatches, repeats);
    samplesMs.push(Number.isFinite(ms) ? ms : Number.NaN);
  }
  return { ...summarize(samplesMs), timer: timing.source, repeats, samplesMs };
}
