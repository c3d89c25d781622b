// Vite plugin: `import code from './kernel.wgsl?raw'` yields the shader with its `// #include "…"` lines
// expanded (scripts/wgslIncludes.mjs), in the dev server, the app build and Vitest alike. Node outside Vite
// (the CLI, scripts) gets the same text from bin/raw-hooks.mjs.
import { existsSync, readFileSync } from 'node:fs';
import type { Plugin } from 'vite';
import { expandWgsl } from './wgslIncludes.mjs';

const readIfExists = (path: string): string | undefined =>
  existsSync(path) ? readFileSync(path, 'utf8') : undefined;

export function wgslIncludesPlugin(): Plugin {
  return {
    name: 'sparsescope:wgsl-includes',
    // Before Vite's own `?raw` loader, which would return the file as it is.
    enforce: 'pre',
    load(id) {
      const [path, query] = id.split('?', 2);
      if (!path.endsWith('.wgsl') || query !== 'raw') return null;
      const { code, files } = expandWgsl(path, readIfExists);
      // An edit to an included snippet reloads every shader that includes it.
      for (const file of files) this.addWatchFile(file);
      return `export default ${JSON.stringify(code)};`;
    },
  };
}
