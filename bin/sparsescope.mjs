#!/usr/bin/env node
// CLI entry: runs the TypeScript sources through tsx, with a hook so `*.wgsl?raw` imports work in Node.
import { register } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const { register: registerTsx } = await import('tsx/esm/api');
registerTsx();
register(pathToFileURL(join(here, 'raw-hooks.mjs')));
const { main } = await import(pathToFileURL(join(here, '..', 'src', 'cli', 'main.ts')).href);
process.exitCode = await main(process.argv.slice(2));
