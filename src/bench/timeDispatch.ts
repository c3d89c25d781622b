// Time GPU dispatches honestly: warm up, calibrate how many dispatches one sample repeats inside a single
// pass so each sample stays well above the timer's resolution (Chrome rounds timestamps to 100 µs, Dawn on
// NVIDIA to 65.5 µs unless told not to), then take repeated samples. Per-dispatch ms = sample / repeats.
import { type Dispatch, encodeDispatch } from '../gpu/kernels/dispatch';
import { GpuTimer, type TimerSource } from '../gpu/timer';
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

/** Encode `repeats` copies of `dispatches` in one pass and submit; returns the sample's total ms. */
async function sample(
  device: GPUDevice,
  timer: GpuTimer,
  dispatches: Dispatch[],
  repeats: number,
): Promise<number> {
  const encoder = device.createCommandEncoder({ label: 'Bench.encoder' });
  timer.begin();
  const pass = encoder.beginComputePass({ label: 'Bench.pass', timestampWrites: timer.pass('sample') });
  for (let r = 0; r < repeats; r++) for (const d of dispatches) encodeDispatch(pass, d);
  pass.end();
  const readback = timer.resolve(encoder);
  const commands = encoder.finish();
  if (timer.source === 'gpu-timestamp') {
    device.queue.submit([commands]);
    const [result] = await timer.read(readback);
    return result.ms;
  }
  await device.queue.onSubmittedWorkDone();
  const t0 = performance.now();
  device.queue.submit([commands]);
  await device.queue.onSubmittedWorkDone();
  return performance.now() - t0;
}

export async function timeDispatches(
  device: GPUDevice,
  dispatches: Dispatch[],
  options: TimingOptions = {},
  timer: GpuTimer = new GpuTimer(device, 4),
): Promise<TimingResult> {
  const samples = options.samples ?? 9;
  const warmup = options.warmup ?? 2;
  const target = options.targetSampleMs ?? 2;
  const maxRepeats = options.maxRepeats ?? 256;
  for (let i = 0; i < warmup; i++) await sample(device, timer, dispatches, 1);
  let repeats = options.repeats ?? 1;
  if (options.repeats === undefined) {
    const single = await sample(device, timer, dispatches, 1);
    // Wall clock includes submit latency, so calibrate on what the timer sees, and cap the cost.
    repeats = single > 0 ? Math.min(maxRepeats, Math.max(1, Math.ceil(target / single))) : maxRepeats;
  }
  const samplesMs: number[] = [];
  for (let i = 0; i < samples; i++) {
    const ms = await sample(device, timer, dispatches, repeats);
    samplesMs.push(Number.isFinite(ms) ? ms / repeats : Number.NaN);
  }
  return { ...summarize(samplesMs), timer: timer.source, repeats, samplesMs };
}
