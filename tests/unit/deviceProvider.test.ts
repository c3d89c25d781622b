// The page's one device provider against a fake GPU: callers share one device, a lost device is reported
// once and replaced on the next open(), a device closed on purpose is not reported, and uncaptured errors
// reach every listener until it unsubscribes.
import { describe, expect, it } from 'vitest';
import { DeviceProvider } from '../../src/gpu/deviceProvider';

class FakeDevice {
  readonly features = new Set<string>();
  readonly limits = {};
  private resolveLost!: (info: { reason: string; message: string }) => void;
  readonly lost = new Promise<{ reason: string; message: string }>((r) => {
    this.resolveLost = r;
  });
  private readonly errorListeners: ((e: unknown) => void)[] = [];
  addEventListener(_type: string, listener: (e: unknown) => void) {
    this.errorListeners.push(listener);
  }
  destroy() {
    this.resolveLost({ reason: 'destroyed', message: 'device destroyed' });
  }
  loseForTest() {
    this.resolveLost({ reason: 'unknown', message: 'driver reset' });
  }
  raise(message: string) {
    for (const l of this.errorListeners) l({ error: { message } });
  }
}

function fakeGpu() {
  const devices: FakeDevice[] = [];
  const adapter = {
    limits: {},
    features: new Set<string>(),
    info: { vendor: 'fake', architecture: 'test', device: '', description: '' },
    requestDevice: async () => {
      const d = new FakeDevice();
      devices.push(d);
      return d;
    },
  };
  const gpu = { requestAdapter: async () => adapter } as unknown as GPU;
  return { gpu, devices };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('DeviceProvider', () => {
  it('gives every caller the same device, also when they ask at once', async () => {
    const { gpu, devices } = fakeGpu();
    const provider = new DeviceProvider(gpu);
    const [a, b] = await Promise.all([provider.open(), provider.open()]);
    expect(a).toBe(b);
    expect(await provider.open()).toBe(a);
    expect(devices).toHaveLength(1);
    expect(provider.current).toBe(a);
  });

  it('reports a lost device once and opens a new one on the next open()', async () => {
    const { gpu, devices } = fakeGpu();
    const provider = new DeviceProvider(gpu);
    const lost: string[] = [];
    provider.onLost((reason) => lost.push(reason));
    const first = await provider.open();
    devices[0].loseForTest();
    await settle();
    expect(lost).toEqual(['GPU device lost (unknown): driver reset']);
    expect(provider.current).toBeNull();
    const second = await provider.open();
    expect(second).not.toBe(first);
    expect(devices).toHaveLength(2);
  });

  it('does not report a device it closed on purpose', async () => {
    const { gpu } = fakeGpu();
    const provider = new DeviceProvider(gpu);
    const lost: string[] = [];
    provider.onLost((reason) => lost.push(reason));
    await provider.open();
    provider.close();
    await settle();
    expect(lost).toEqual([]);
  });

  it('sends uncaptured errors to every listener until it unsubscribes', async () => {
    const { gpu, devices } = fakeGpu();
    const provider = new DeviceProvider(gpu);
    const a: string[] = [];
    const b: string[] = [];
    provider.onError((m) => a.push(m));
    const stopB = provider.onError((m) => b.push(m));
    await provider.open();
    devices[0].raise('validation: bad bind group');
    stopB();
    devices[0].raise('out of memory');
    expect(a).toEqual(['validation: bad bind group', 'out of memory']);
    expect(b).toEqual(['validation: bad bind group']);
  });

  it('says why when there is no WebGPU, and can try again', async () => {
    const provider = new DeviceProvider(undefined);
    await expect(provider.open()).rejects.toThrow(/no WebGPU/);
    await expect(provider.open()).rejects.toThrow(/no WebGPU/);
  });
});
