// Every kernel's WGSL as the app and the CLI load it (includes expanded) compiles on a real WebGPU device
// with no error or warning. Kernel tests then check what each computes.
import { describe, expect, it } from 'vitest';
import { createNodeGpu } from '../../src/node/dawn';
import { gpuContext } from './harness';

const shaders = import.meta.glob<string>('../../shaders/*.wgsl', {
  query: '?raw',
  import: 'default',
  eager: true,
});

describe('WGSL shaders', () => {
  const names = Object.keys(shaders).map((path) => path.replace('../../shaders/', ''));

  it('finds every kernel file', () => {
    expect(names.length).toBeGreaterThan(10);
  });

  it.each(names)('%s compiles with its includes expanded', async (name) => {
    const ctx = await gpuContext();
    const code = shaders[`../../shaders/${name}`];
    expect(code).not.toMatch(/^\s*\/\/\s*#include/m);
    const rejected = /^\s*enable subgroups;/m.test(code) && !ctx.features.subgroups;
    ctx.device.pushErrorScope('validation');
    const module = ctx.device.createShaderModule({ label: `ShadersTest.${name}`, code });
    const info = await module.getCompilationInfo();
    const scopeError = await ctx.device.popErrorScope();
    const messages = info.messages
      .filter((m) => m.type !== 'info')
      .map((m) => `${m.type} at ${m.lineNum}:${m.linePos}: ${m.message}`);
    if (rejected) {
      // A device without the 'subgroups' feature must refuse the shader (the app then never compiles it:
      // autoCsrVariants); a device that accepted it would run a kernel its features do not allow.
      expect(messages.some((m) => m.startsWith('error')) || scopeError !== null, name).toBe(true);
      return;
    }
    expect(scopeError?.message ?? null, name).toBeNull();
    expect(messages, name).toEqual([]);
  });

  it('a device without the subgroups feature refuses the subgroup kernels', async () => {
    await gpuContext(); // Dawn is set up
    const adapter = await (await createNodeGpu()).requestAdapter();
    expect(adapter).not.toBeNull();
    const plain = await adapter!.requestDevice(); // no optional features: no 'subgroups'
    try {
      const subgroupShaders = names.filter((n) =>
        /^\s*enable subgroups;/m.test(shaders[`../../shaders/${n}`]),
      );
      expect(subgroupShaders.length).toBeGreaterThan(0);
      for (const name of subgroupShaders) {
        plain.pushErrorScope('validation');
        const module = plain.createShaderModule({ code: shaders[`../../shaders/${name}`] });
        const info = await module.getCompilationInfo();
        const error = await plain.popErrorScope();
        expect(info.messages.some((m) => m.type === 'error') || error !== null, name).toBe(true);
      }
    } finally {
      plain.destroy();
    }
  });
});
