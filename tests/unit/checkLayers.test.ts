// The lint step's dependency rule (scripts/check-layers.mjs) on small trees made here: it must fail on an
// upward import and on a cycle, and pass a tree that only imports downward.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SCRIPT = join(import.meta.dirname, '../../scripts/check-layers.mjs');

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'layers-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

function check(root: string) {
  const r = spawnSync(process.execPath, [SCRIPT, root], { encoding: 'utf8' });
  return { status: r.status, output: r.stdout + r.stderr };
}

describe('check-layers', () => {
  it('passes imports that go downward', () => {
    const root = tree({
      'contracts.ts': 'export type WeightPath = "dense";\n',
      'math/a.ts': "import type { WeightPath } from '../contracts';\nexport const a = 1;\n",
      'engine/b.ts': "import { a } from '../math/a';\nexport const b = a;\n",
    });
    expect(check(root).status).toBe(0);
  });

  it('fails on an upward import, naming the file and the rule', () => {
    const root = tree({
      'math/a.ts': "import type { B } from '../engine/b';\nexport const a = 1;\n",
      'engine/b.ts': 'export type B = number;\n',
    });
    const { status, output } = check(root);
    expect(status).toBe(1);
    expect(output).toContain('math/a.ts imports engine/b.ts: src/math may not import src/engine');
  });

  it('fails on an import cycle, and on a folder missing from the table', () => {
    const root = tree({
      'scene/a.ts': "import { b } from './b';\nexport const a = b;\n",
      'scene/b.ts': "import type { a } from './a';\nexport const b = 1;\n",
      'newfolder/c.ts': "import { a } from '../scene/a';\n",
    });
    const { status, output } = check(root);
    expect(status).toBe(1);
    expect(output).toContain('import cycle: scene/a.ts ↔ scene/b.ts');
    expect(output).toContain('src/newfolder has no entry in the layer table');
  });
});
