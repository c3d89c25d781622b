// The one GPU timing loop: encode a sequence of compute passes (and untimed buffer copies), run them, and
// return each timed pass's milliseconds. With `timestamp-query`: one submit, timestampWrites per pass,
// one resolve (GpuTimer). Without: the queue drained first, then each step submitted alone and timed
// with the wall clock to onSubmittedWorkDone. A pass that repeats its dispatches `repeats` times (to rise
// above the timer's resolution) reports the time of one repetition. The forward plans, the layered
// networks, the kernel sweeps and the copy roofline all measure through this.
import { type Dispatch, encodeDispatch } from './kernels/dispatch';
import { GpuTimer, type TimerSource } from './timer';

/** A compute pass: `dispatches` encoded `repeats` times (default 1) inside it. */
interface TimedPass {
  kind: 'pass';
  label: string;
  dispatches: readonly Dispatch[];
  repeats?: number;
}

/** A buffer copy between passes (e.g. into a staging buffer): run in order, never timed. */
interface UntimedCopy {
  kind: 'copy';
  copy: { src: GPUBuffer; srcOffset: number; dst: GPUBuffer; dstOffset: number; size: number };
}

export type TimedStep = TimedPass | UntimedCopy;

export class GpuTiming {
  private readonly timer: GpuTimer;

  /** `capacity`: the most timed passes in one run(); `owner` labels the encoders ('Forward.encoder'). */
  constructor(
    private readonly device: GPUDevice,
    capacity: number,
    private readonly owner = 'Timing',
  ) {
    this.timer = new GpuTimer(device, Math.max(1, capacity));
  }

  get source(): TimerSource {
    return this.timer.source;
  }

  /** Runs `steps` in order; one entry per timed pass: ms per repetition (NaN where no valid time came back). */
  async run(steps: readonly TimedStep[]): Promise<number[]> {
    return this.timer.source === 'gpu-timestamp' ? this.byTimestamps(steps) : this.byWallClock(steps);
  }

  /** Runs `steps` once without timing them (a warm-up), and waits for the queue. */
  async untimed(steps: readonly TimedStep[]): Promise<void> {
    const encoder = this.device.createCommandEncoder({ label: `${this.owner}.encoder` });
    for (const step of steps) this.encode(encoder, step);
    this.device.queue.submit([encoder.finish()]);
    await this.device.queue.onSubmittedWorkDone();
  }

  private encode(
    encoder: GPUCommandEncoder,
    step: TimedStep,
    timestampWrites?: GPUComputePassTimestampWrites,
  ) {
    if (step.kind === 'copy') {
      const c = step.copy;
      encoder.copyBufferToBuffer(c.src, c.srcOffset, c.dst, c.dstOffset, c.size);
      return;
    }
    const pass = encoder.beginComputePass({ label: step.label, timestampWrites });
    const repeats = step.repeats ?? 1;
    for (let r = 0; r < repeats; r++) for (const d of step.dispatches) encodeDispatch(pass, d);
    pass.end();
  }

  private async byTimestamps(steps: readonly TimedStep[]): Promise<number[]> {
    const encoder = this.device.createCommandEncoder({ label: `${this.owner}.encoder` });
    this.timer.begin();
    const repeats: number[] = [];
    for (const step of steps) {
      if (step.kind === 'pass') {
        repeats.push(step.repeats ?? 1);
        this.encode(encoder, step, this.timer.pass(step.label));
      } else {
        this.encode(encoder, step);
      }
    }
    const readback = this.timer.resolve(encoder);
    this.device.queue.submit([encoder.finish()]);
    const times = await this.timer.read(readback);
    return repeats.map((r, i) => (times[i] ? times[i].ms / r : Number.NaN));
  }

  private async byWallClock(steps: readonly TimedStep[]): Promise<number[]> {
    const { queue } = this.device;
    const out: number[] = [];
    await queue.onSubmittedWorkDone(); // earlier uploads stay out of the first step's time
    for (const step of steps) {
      const encoder = this.device.createCommandEncoder({ label: `${this.owner}.encoder` });
      this.encode(encoder, step);
      const commands = encoder.finish();
      const t0 = performance.now();
      queue.submit([commands]);
      await queue.onSubmittedWorkDone();
      if (step.kind === 'pass') out.push((performance.now() - t0) / (step.repeats ?? 1));
    }
    return out;
  }

  dispose(): void {
    this.timer.dispose();
  }
}
