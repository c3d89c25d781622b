// Every kernel's WGSL as the app and the CLI load it (includes expanded) compiles on a real WebGPU device
// with no error or warning. Kernel tests then check what each computes.
import { describe, expect, it } from 'vitest';
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
    if (/^\s*enable subgroups;/m.test(code) && !ctx.features.subgroups) {
      // A device without subgroups must reject it; the kernel is then never compiled (autoCsrVariants).
      return;
    }
    const module = ctx.device.createShaderModule({ label: `ShadersTest.${name}`, code });
    const info = await module.getCompilationInfo();
    const messages = info.messages
      .filter((m) => m.type !== 'info')
      .map((m) => `${m.type} at ${m.lineNum}:${m.linePos}: ${m.message}`);
    expect(messages, name).toEqual([]);
  });
});
