// Device loss mid-session: the session falls back to the CPU, keeps the model, and the next run has timings.
import { describe, expect, it } from 'vitest';
import { Session, type SessionStatus } from '../../src/engine/session';
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

  it('says why when WebGPU is missing, and runs on the CPU', async () => {
    const session = await Session.start({ requested: 'webgpu', gpu: undefined });
    expect(session.status).toMatchObject({ kind: 'cpu', reason: expect.stringMatching(/no WebGPU/) });
    session.dispose();
  });
});

describe('Session backend switch', () => {
  it('re-prepares the loaded model on the new backend and gives the same logits; unload forgets it', async () => {
    const session = await Session.start({ requested: 'webgpu', gpu: await createNodeGpu() });
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
