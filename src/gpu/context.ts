// One GpuContext owns the device: it asks for the limits and optional features the kernels use,
// registers device loss and uncaptured errors at creation, and says why it could not start.

export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean;
}

export interface GpuFeatures {
  timestampQuery: boolean;
  subgroups: boolean;
  shaderF16: boolean;
}

/** Thrown when WebGPU cannot be used; `reason` is plain words for the status line. */
export class GpuUnavailableError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'GpuUnavailableError';
  }
}

/** Limits worth raising to the adapter's maximum: big models need big storage bindings. */
const RAISED_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxStorageBuffersPerShaderStage',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupsPerDimension',
] as const;

export interface GpuContextOptions {
  /** Minimum limits the caller needs; creation fails with a clear reason if the adapter lacks them. */
  minimumLimits?: Partial<Record<(typeof RAISED_LIMITS)[number], number>>;
  powerPreference?: GPUPowerPreference;
  onLost?: (reason: string) => void;
  onError?: (message: string) => void;
}

export class GpuContext {
  private lostReason: string | null = null;

  private constructor(
    readonly adapter: GPUAdapter,
    readonly device: GPUDevice,
    readonly info: AdapterSummary,
    readonly features: GpuFeatures,
  ) {}

  static async create(gpu: GPU | undefined, options: GpuContextOptions = {}): Promise<GpuContext> {
    if (!gpu) throw new GpuUnavailableError('This browser has no WebGPU (navigator.gpu is missing).');
    let adapter: GPUAdapter | null;
    try {
      adapter = await gpu.requestAdapter({ powerPreference: options.powerPreference ?? 'high-performance' });
    } catch (err) {
      throw new GpuUnavailableError(`requestAdapter() threw: ${errorText(err)}`);
    }
    if (!adapter) {
      throw new GpuUnavailableError(
        'No WebGPU adapter: requestAdapter() returned null (WebGPU disabled, blocklisted, or no usable GPU).',
      );
    }
    for (const [name, needed] of Object.entries(options.minimumLimits ?? {})) {
      const has = adapter.limits[name as keyof GPUSupportedLimits];
      if (typeof has === 'number' && needed !== undefined && has < needed) {
        throw new GpuUnavailableError(`The adapter's ${name} is ${has}, but ${needed} is needed.`);
      }
    }
    const requiredLimits: Record<string, number> = {};
    for (const name of RAISED_LIMITS) {
      const value = adapter.limits[name];
      if (typeof value === 'number') requiredLimits[name] = value;
    }
    const wanted: GPUFeatureName[] = ['timestamp-query', 'subgroups', 'shader-f16'];
    const requiredFeatures = wanted.filter((f) => adapter.features.has(f));
    let device: GPUDevice;
    try {
      device = await adapter.requestDevice({ label: 'Sparsescope.device', requiredLimits, requiredFeatures });
    } catch (err) {
      throw new GpuUnavailableError(`requestDevice() failed: ${errorText(err)}`);
    }
    const info = adapter.info;
    const ctx = new GpuContext(
      adapter,
      device,
      {
        vendor: info.vendor ?? '',
        architecture: info.architecture ?? '',
        device: info.device ?? '',
        description: info.description ?? '',
        isFallbackAdapter: Boolean((info as { isFallbackAdapter?: boolean }).isFallbackAdapter),
      },
      {
        timestampQuery: device.features.has('timestamp-query'),
        subgroups: device.features.has('subgroups'),
        shaderF16: device.features.has('shader-f16'),
      },
    );
    device.lost.then((lost) => {
      ctx.lostReason = `GPU device lost (${lost.reason}): ${lost.message || 'no message'}`;
      options.onLost?.(ctx.lostReason);
    });
    device.addEventListener('uncapturederror', (event) => {
      const message = (event as GPUUncapturedErrorEvent).error.message;
      options.onError?.(message);
    });
    return ctx;
  }

  get isLost(): boolean {
    return this.lostReason !== null;
  }

  get lostMessage(): string | null {
    return this.lostReason;
  }

  get limits(): GPUSupportedLimits {
    return this.device.limits;
  }

  /** A short human label such as "nvidia nvidia-h200" or "google swiftshader (fallback)". */
  get adapterLabel(): string {
    const parts = [this.info.vendor, this.info.architecture || this.info.device].filter(Boolean);
    const name = parts.join(' ') || this.info.description || 'unknown adapter';
    return this.info.isFallbackAdapter ? `${name} (fallback)` : name;
  }

  /** Plain object of the device limits, for JSON reports. */
  limitsRecord(): Record<string, number> {
    const out: Record<string, number> = {};
    const limits = this.device.limits;
    for (const key in limits) {
      const value = limits[key as keyof GPUSupportedLimits];
      if (typeof value === 'number') out[key] = value;
    }
    return out;
  }

  /** Destroys the device: every buffer and pipeline made on it goes with it. */
  dispose(): void {
    this.device.destroy();
  }
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
