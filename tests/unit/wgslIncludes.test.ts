// The WGSL include step (scripts/wgslIncludes.mjs) on in-memory files, and the two loaders that use it
// (the Vite plugin for the app and tests, Node's `?raw` hooks for the CLI) agreeing on every real shader.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandWgsl } from '../../scripts/wgslIncludes.mjs';

const root = resolve('/virtual/shaders');
function expand(files: Record<string, string>, entry = 'main.wgsl') {
  const read = (path: string) => files[path.slice(root.length + 1)];
  return expandWgsl(resolve(root, entry), read);
}

describe('WGSL includes', () => {
  it('replaces a directive by the file, resolved relative to the including file, nested', () => {
    const { code, files } = expand({
      'main.wgsl': 'fn main() {}\n// #include "common/a.wgsl"\n',
      'common/a.wgsl': '// #include "b.wgsl"\nfn a() { b(); }\n',
      'common/b.wgsl': 'fn b() {}\n',
    });
    expect(code).toContain('fn b() {}');
    expect(code.indexOf('fn b()')).toBeLessThan(code.indexOf('fn a()'));
    expect(code).not.toMatch(/^\s*\/\/\s*#include/m);
    expect(files.map((f) => f.slice(root.length + 1)).sort()).toEqual([
      'common/a.wgsl',
      'common/b.wgsl',
      'main.wgsl',
    ]);
  });

  it('includes a file once even when two snippets both include it', () => {
    const { code } = expand({
      'main.wgsl': '// #include "a.wgsl"\n// #include "b.wgsl"\n',
      'a.wgsl': '// #include "shared.wgsl"\nfn a() {}\n',
      'b.wgsl': '//#include "shared.wgsl"\nfn b() {}\n',
      'shared.wgsl': 'struct Shared { v: u32 }\n',
    });
    expect(code.match(/struct Shared/g)).toHaveLength(1);
  });

  it('names the including file and line of a missing include', () => {
    expect(() => expand({ 'main.wgsl': 'fn f() {}\n// #include "common/nope.wgsl"\n' })).toThrow(
      /main\.wgsl:2: #include .*common\/nope\.wgsl": no such file/,
    );
  });

  it('rejects a cycle and a malformed directive', () => {
    expect(() =>
      expand({ 'main.wgsl': '// #include "a.wgsl"\n', 'a.wgsl': '// #include "main.wgsl"\n' }),
    ).toThrow(/include cycle .*main\.wgsl → .*a\.wgsl → .*main\.wgsl/);
    expect(() => expand({ 'main.wgsl': '// #include common/a.wgsl\n' })).toThrow(/malformed include/);
  });

  it('leaves a file without directives as it is', () => {
    const text = '// a comment that mentions include\nfn f() {}\n';
    expect(expand({ 'main.wgsl': text }).code).toBe(text);
  });
});

describe('the two shader loaders', () => {
  const shaderFiles = readdirSync('shaders').filter((f) => f.endsWith('.wgsl'));
  // Vite's `?raw` through scripts/wgslPlugin.ts (this test runs under Vitest).
  const viaVite = import.meta.glob('../../shaders/*.wgsl', { query: '?raw', import: 'default', eager: true });

  it('give the same expanded text for every shader (Vite plugin and the CLI’s Node hooks)', () => {
    const script = `const names = ${JSON.stringify(shaderFiles)}; const out = {};
      for (const n of names) out[n] = (await import('./shaders/' + n + '?raw')).default;
      process.stdout.write(JSON.stringify(out));`;
    const viaNode: Record<string, string> = JSON.parse(
      execFileSync(
        process.execPath,
        ['--import', './bin/raw-register.mjs', '--input-type=module', '-e', script],
        {
          encoding: 'utf8',
        },
      ),
    );
    expect(shaderFiles.length).toBeGreaterThan(10);
    for (const name of shaderFiles) {
      const vite = viaVite[`../../shaders/${name}`];
      expect(vite, name).toBeTypeOf('string');
      expect(viaNode[name], name).toBe(vite);
      expect(vite, name).not.toMatch(/^\s*\/\/\s*#include/m);
    }
  });
});

describe('kernel names', () => {
  const kernelDir = 'src/gpu/kernels';
  const hosts = readdirSync(kernelDir).filter((f) => f.endsWith('.ts'));
  const source = (host: string) => readFileSync(`${kernelDir}/${host}`, 'utf8');
  const snake = (camel: string) => camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

  it('pair each shader with the host module of its name (fooBar.ts runs foo_bar[_variant].wgsl)', () => {
    const shaders = readdirSync('shaders').filter((f) => f.endsWith('.wgsl'));
    for (const shader of shaders) {
      const importers = hosts.filter((h) => source(h).includes(`shaders/${shader}?raw`));
      expect(importers, shader).toHaveLength(1);
      const stem = snake(importers[0].replace(/\.ts$/, ''));
      expect(shader === `${stem}.wgsl` || shader.startsWith(`${stem}_`), `${shader} ↔ ${importers[0]}`).toBe(
        true,
      );
    }
  });

  it('give every pipeline the id of the file it compiles', () => {
    for (const host of hosts) {
      for (const [, id] of source(host).matchAll(/\bid: '([a-z_]+)'/g)) {
        expect(readdirSync('shaders'), `${host}: id '${id}'`).toContain(`${id}.wgsl`);
      }
    }
  });
});
