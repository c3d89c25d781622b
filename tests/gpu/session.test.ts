// Device loss mid-session: the session falls back to the CPU, keeps the model, and the next run has timings.
import { describe, expect, it } from 'vitest';
import { randomCsr } from '../../src/bench/matrices';
import { Session, type SessionStatus } from '../../src/engine/session';
import { DeviceProvider } from '../../src/gpu/deviceProvider';
import { CsrMatrix } from '../../src/math/csr';
import { runDnnCpu } from '../../src/math/dnn';
import { Rng } from '../../src/math/rng';
import { presetConfig } from '../../src/model/config';
import { initGpt2 } from '../../src/model/init';
import { sparsifyModel } from '../../src/model/sparsify';
import { createNodeGpu } from '../../src/node/dawn';

describe('Session', () => {
  it('starts on WebGPU, and after the device is lost runs the same model on the CPU with a reason', async () => {
    const events: [SessionStatus, string][] = [];
    const session = await Session.start({
      requested: 'webgpu',
      gpu: await createNodeGpu(),
      onStatus: (s, e) => events.push([s, e]),
    });
    expect(session.status.kind).toBe('webgpu');
    const dense = initGpt2(presetConfig('test'), { seed: 2, std: 0.2 });
    await session.load({ dense, sparse: sparsifyModel(dense, { density: 0.25 }) });
    const tokens = [1, 2, 3, 4];
    const before = await session.runPair(tokens);
    expect(before.sparse.timings.length).toBeGreaterThan(0);

    expect(session.loseDeviceForTesting()).toBe(true);
    const after = await session.runPair(tokens);
    expect(session.status.kind).toBe('cpu');
    expect(session.status.reason).toMatch(/lost/);
    expect(events.at(-1)?.[1]).toBe('fallback');
    expect(after.dense.timings.some((t) => t.op === 'attn' && t.source === 'wall')).toBe(true);
    after.dense.logits.forEach((v, i) => {
      expect(v).toBeCloseTo(before.dense.logits[i], 3);
    });
    session.dispose();
  });

  it('runs a layered network on WebGPU, and after the device is lost on the CPU, with the same categories', async () => {
    const lost: string[] = [];
    const devices = new DeviceProvider(await createNodeGpu());
    const errors: string[] = [];
    devices.onError((m) => errors.push(m));
    const session = await Session.start({
      requested: 'webgpu',
      gpu: undefined, // the shared provider gives the device
      devices,
      onDeviceLost: (reason) => lost.push(reason),
    });
    const rng = new Rng(4);
    const layers = [37, 50, 29].map((n, l, all) => randomCsr(rng, n, l === 0 ? 64 : all[l - 1], 0.3));
    const dnn = { layers, bias: -0.1, ymax: 32, names: layers.map((_, l) => `l${l + 1}.mtx`) };
    const pixels = new Float32Array(9 * 64).map(() => (rng.next() < 0.4 ? rng.next() : 0));
    const images = CsrMatrix.fromDense(pixels, 9, 64);
    const want = runDnnCpu(dnn, images, { path: 'dense' }).categories;
    expect(want.length).toBeGreaterThan(0); // something survives: the comparison can fail
    await session.loadDnn({ dnn });
    const before = await session.runDnnPair(images);
    expect(before.sparse.categories).toEqual(want);
    expect(before.dense.categories).toEqual(want);
    expect(before.dense.timings.every((t) => t.op === 'dnn' && t.source === 'gpu-timestamp')).toBe(true);

    expect(session.loseDeviceForTesting()).toBe(true);
    const after = await session.runDnnPair(images);
    expect(session.status).toMatchObject({ kind: 'cpu', reason: expect.stringMatching(/lost/) });
    expect(lost).toHaveLength(1);
    expect(after.sparse.categories).toEqual(want);
    expect(after.dense.timings).toHaveLength(3);
    expect(after.dense.timings.every((t) => t.source === 'wall')).toBe(true);
    // The provider makes a new device for whoever asks next (e.g. the benchmark panel).
    expect((await devices.open()).isLost).toBe(false);
    expect(errors).toEqual([]);
    session.dispose();
    devices.close();
  });

  it('says why when WebGPU is missing, and runs on the CPU', async () => {
    const session = await Session.start({ requested: 'webgpu', gpu: undefined });
    expect(session.status).toMatchObject({ kind: 'cpu', reason: expect.stringMatching(/no WebGPU/) });
    session.dispose();
  });
});

describe('Session backend switch', () => {
  it('re-prepares the loaded model on the new backend and gives the same logits; unload forgets it', async () => {
    const session = await Session.start({ requested: 'webgpu', gpu: await createNodeGpu() });
    // A GPU-tier test: the first run must be on WebGPU, or this would compare the CPU with itself.
    expect(session.status.kind).toBe('webgpu');
    const dense = initGpt2(presetConfig('test'), { seed: 4, std: 0.2 });
    await session.load({ dense, sparse: sparsifyModel(dense, { density: 0.5 }) });
    const tokens = [3, 1, 4, 1, 5];
    const gpu = await session.runPair(tokens);
    await session.switchTo('cpu');
    expect(session.status).toMatchObject({ kind: 'cpu', timer: 'wall' });
    const cpu = await session.runPair(tokens);
    for (const path of ['dense', 'sparse'] as const) {
      cpu[path].logits.forEach((v, i) => {
        expect(v).toBeCloseTo(gpu[path].logits[i], 3);
      });
    }
    session.unload();
    await expect(session.runPair(tokens)).rejects.toThrow(/load a model/);
    session.dispose();
  });
});
