// Pure helpers behind GPU resource ownership: the one pipeline key format, host constants read from the
// WGSL, the linear grid, and the list that frees what a plan owns.
import { describe, expect, it } from 'vitest';
import batchedCode from '../../shaders/spmm_csr_batched.wgsl?raw';
import { linearGrid } from '../../src/gpu/kernels/dispatch';
import { csrMaxTb } from '../../src/gpu/kernels/spmmCsr';
import { OwnedResources } from '../../src/gpu/owned';
import { pipelineKey, wgslConstU32 } from '../../src/gpu/pipelines';

describe('pipelineKey', () => {
  it('is shader id, entry point and the constants sorted by name', () => {
    expect(pipelineKey('matmul_gemv', 'main_vec4', { ROWS: 8, HAS_BIAS: 1, LANES: 32 })).toBe(
      'matmul_gemv:main_vec4:HAS_BIAS=1,LANES=32,ROWS=8',
    );
    expect(pipelineKey('copy', 'main', { WG: 256 })).toBe(pipelineKey('copy', 'main', { WG: 256 }));
    expect(pipelineKey('copy', 'main')).toBe('copy:main:');
  });

  it('does not depend on the order the constants were written in', () => {
    const a = pipelineKey('spmm_csr_batched', 'main', { WG: 64, TB: 8, ACTIVATION: 1 });
    const b = pipelineKey('spmm_csr_batched', 'main', { ACTIVATION: 1, TB: 8, WG: 64 });
    expect(a).toBe(b);
    expect(pipelineKey('spmm_csr_batched', 'main', { WG: 64, TB: 4, ACTIVATION: 1 })).not.toBe(a);
  });
});

describe('wgslConstU32', () => {
  it('reads a module-scope u32 const from the shader the kernel compiles', () => {
    expect(wgslConstU32({ id: 'spmm_csr_batched', code: batchedCode }, 'MAX_TB')).toBe(16);
    expect(csrMaxTb('batched')).toBe(16);
    expect(csrMaxTb('workgroup')).toBe(8);
    expect(csrMaxTb('subgroup')).toBe(8);
    expect(wgslConstU32({ id: 't', code: 'const N = 3u;\n' }, 'N')).toBe(3);
  });

  it('names the shader when the constant is missing', () => {
    expect(() => wgslConstU32({ id: 'copy', code: 'override WG: u32;' }, 'MAX_TB')).toThrow(
      /copy\.wgsl declares no `const MAX_TB/,
    );
  });
});

describe('linearGrid', () => {
  it('covers the count with the given workgroup size, spilling into y past maxX', () => {
    expect(linearGrid(100, 64)).toEqual([2, 1, 1]);
    expect(linearGrid(0, 64)).toEqual([1, 1, 1]);
    expect(linearGrid(64 * 70_000, 64)).toEqual([65535, 2, 1]);
    expect(linearGrid(1000, 256, 2)).toEqual([2, 2, 1]);
  });
});

describe('OwnedResources', () => {
  it('frees WebGPU objects with destroy and our own with dispose, latest first, each once', () => {
    const log: string[] = [];
    const owned = new OwnedResources();
    const buffer = owned.add({ destroy: () => log.push('buffer') });
    owned.add({ dispose: () => log.push('kernel') });
    const early = owned.add({ destroy: () => log.push('early') });
    owned.release(early);
    owned.release(early);
    owned.dispose();
    owned.dispose();
    expect(log).toEqual(['early', 'kernel', 'buffer']);
    expect(buffer).toBeDefined();
  });
});
