// Node module hooks so that `import text from './file.wgsl?raw'` works outside Vite (the CLI runs the
// TypeScript sources through tsx). WGSL gets its `// #include "…"` lines expanded exactly as the Vite plugin
// (scripts/wgslPlugin.ts) does; other `?raw` files come as they are.
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { expandWgsl } from '../scripts/wgslIncludes.mjs';

export async function resolve(specifier, context, nextResolve) {
  if (specifier.endsWith('?raw')) {
    const url = new URL(specifier, context.parentURL);
    return { url: url.href, shortCircuit: true };
  }
  return nextResolve(specifier, context);
}

const readIfExists = (path) => (existsSync(path) ? readFileSync(path, 'utf8') : undefined);

export async function load(url, context, nextLoad) {
  if (url.endsWith('?raw')) {
    const path = fileURLToPath(url.slice(0, -4));
    const text = path.endsWith('.wgsl') ? expandWgsl(path, readIfExists).code : await readFile(path, 'utf8');
    return { format: 'module', source: `export default ${JSON.stringify(text)};`, shortCircuit: true };
  }
  return nextLoad(url, context);
}
