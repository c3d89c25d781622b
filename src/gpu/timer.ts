// One timer for every GPU measurement: named timestampWrites per compute pass, one resolve per submit,
// results read from a recycled readback buffer. Without `timestamp-query` the caller falls back to wall
// clock around onSubmittedWorkDone, and every result says which source it came from.

export type TimerSource = 'gpu-timestamp' | 'wall';

export class GpuTimer {
  readonly source: TimerSource;
  private readonly querySet: GPUQuerySet | null;
  private readonly resolveBuffer: GPUBuffer | null;
  private readonly freeReadbacks: GPUBuffer[] = [];
  private labels: string[] = [];

  constructor(
    private readonly device: GPUDevice,
    private readonly capacity = 512,
  ) {
    const enabled = device.features.has('timestamp-query');
    this.source = enabled ? 'gpu-timestamp' : 'wall';
    this.querySet = enabled
      ? device.createQuerySet({ label: 'GpuTimer.querySet', type: 'timestamp', count: capacity * 2 })
      : null;
    this.resolveBuffer = enabled
      ? device.createBuffer({
          label: 'GpuTimer.resolve',
          size: capacity * 2 * 8,
          usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
        })
      : null;
  }

  /** Start a new measurement (one submit). */
  begin(): void {
    this.labels = [];
  }

  /** timestampWrites for a pass named `label`, or undefined without timestamp queries / when full. */
  pass(label: string): GPUComputePassTimestampWrites | undefined {
    if (!this.querySet || this.labels.length >= this.capacity) return undefined;
    const index = this.labels.length;
    this.labels.push(label);
    return {
      querySet: this.querySet,
      beginningOfPassWriteIndex: 2 * index,
      endOfPassWriteIndex: 2 * index + 1,
    };
  }

  /** Resolve this measurement's queries into a readback buffer; call once per submit, before finish(). */
  resolve(encoder: GPUCommandEncoder): GPUBuffer | null {
    if (!this.querySet || !this.resolveBuffer || this.labels.length === 0) return null;
    const bytes = this.labels.length * 16;
    encoder.resolveQuerySet(this.querySet, 0, this.labels.length * 2, this.resolveBuffer, 0);
    const readback =
      this.freeReadbacks.pop() ??
      this.device.createBuffer({
        label: 'GpuTimer.readback',
        size: this.capacity * 16,
        usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      });
    encoder.copyBufferToBuffer(this.resolveBuffer, 0, readback, 0, bytes);
    return readback;
  }

  /**
   * After the submit: milliseconds per pass, in pass order. Negative or absurd deltas (a GPU that
   * reordered or reset its counter) come back as NaN so callers drop them rather than average them.
   */
  async read(readback: GPUBuffer | null): Promise<{ label: string; ms: number }[]> {
    if (!readback) return [];
    const labels = this.labels;
    await readback.mapAsync(GPUMapMode.READ, 0, labels.length * 16);
    const stamps = new BigInt64Array(readback.getMappedRange(0, labels.length * 16).slice(0));
    readback.unmap();
    this.freeReadbacks.push(readback);
    return labels.map((label, i) => {
      const delta = Number(stamps[2 * i + 1] - stamps[2 * i]);
      return { label, ms: delta >= 0 && delta < 1e12 ? delta / 1e6 : Number.NaN };
    });
  }

  dispose(): void {
    this.querySet?.destroy();
    this.resolveBuffer?.destroy();
    for (const b of this.freeReadbacks) b.destroy();
  }
}

/** Wall-clock time of GPU work: submit, then wait for the queue to drain. */
export async function wallTimeMs(device: GPUDevice, submit: () => void): Promise<number> {
  await device.queue.onSubmittedWorkDone();
  const t0 = performance.now();
  submit();
  await device.queue.onSubmittedWorkDone();
  return performance.now() - t0;
}
