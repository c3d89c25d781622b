// One GPU device for everything a page (or a CLI run) does: the session's backend, the layered networks it
// runs and the benchmark panel all ask this provider, so they share one device, one pipeline cache and
// one place where device loss and uncaptured GPU errors are reported. A lost device is replaced on the
// next open(); a device closed on purpose is not reported as lost.
import { GpuContext, type GpuContextOptions } from './context';

type LostListener = (reason: string, ctx: GpuContext) => void;
type ErrorListener = (message: string) => void;

export class DeviceProvider {
  private opening: Promise<GpuContext> | null = null;
  private ctx: GpuContext | null = null;
  private readonly lostListeners = new Set<LostListener>();
  private readonly errorListeners = new Set<ErrorListener>();

  constructor(
    private readonly gpu: GPU | undefined,
    private readonly options: Pick<GpuContextOptions, 'minimumLimits' | 'powerPreference'> = {},
  ) {}

  /** The open device, or a new one when there is none or it was lost; concurrent callers share one. */
  open(): Promise<GpuContext> {
    if (this.ctx && !this.ctx.isLost) return Promise.resolve(this.ctx);
    if (this.opening) return this.opening;
    let made: GpuContext | null = null;
    const opening = GpuContext.create(this.gpu, {
      ...this.options,
      onLost: (reason) => {
        if (!made || this.ctx !== made) return; // closed on purpose (or already replaced): not news
        for (const listener of this.lostListeners) listener(reason, made);
      },
      onError: (message) => {
        for (const listener of this.errorListeners) listener(message);
      },
    });
    this.opening = opening;
    return opening
      .then((ctx) => {
        made = ctx;
        this.ctx = ctx;
        return ctx;
      })
      .finally(() => {
        if (this.opening === opening) this.opening = null;
      });
  }

  /** The open device if it is still alive (no new one is made). */
  get current(): GpuContext | null {
    return this.ctx && !this.ctx.isLost ? this.ctx : null;
  }

  /** Called when a device this provider opened is lost (not when it was closed); returns an unsubscribe. */
  onLost(listener: LostListener): () => void {
    this.lostListeners.add(listener);
    return () => this.lostListeners.delete(listener);
  }

  /** Every uncaptured GPU error (validation, out of memory) of the provider's devices; returns an unsubscribe. */
  onError(listener: ErrorListener): () => void {
    this.errorListeners.add(listener);
    return () => this.errorListeners.delete(listener);
  }

  /** Destroy the device on purpose (its loss is not reported); the next open() makes a new one. */
  close(): void {
    const ctx = this.ctx;
    this.ctx = null;
    ctx?.dispose();
  }
}
