// Bundle the CLI into one folder that runs on plain Node with no node_modules beside it except the `webgpu`
// package (a native addon, kept external): `npx tsx scripts/bundle-cli.ts [OUT_DIR]` (default dist/cli/).
// Shaders are inlined with their `// #include` lines expanded (the app's Vite plugin); tfjs is bundled
// for `bench-peers`. Used by scripts/device-bench-gpu.sh to carry the CLI to a GPU machine.
import { resolve } from 'node:path';
import { build } from 'vite';
import { wgslIncludesPlugin } from './wgslPlugin';

const outDir = resolve(process.argv[2] ?? 'dist/cli');
await build({
  configFile: false,
  logLevel: 'warn',
  publicDir: false, // the app's public/ files (models) are not the CLI's
  plugins: [wgslIncludesPlugin()],
  ssr: { noExternal: true, external: ['webgpu'], target: 'node' },
  build: {
    ssr: resolve(import.meta.dirname, 'cli-bundle-entry.ts'),
    outDir,
    emptyOutDir: true,
    target: 'node20',
    minify: false,
    rollupOptions: { output: { entryFileNames: 'sparsescope.mjs', format: 'es' } },
  },
});
console.log(`bundled the CLI into ${outDir}/sparsescope.mjs`);
