// Bundle the CLI into one folder that runs on plain Node with no node_modules beside it except the `webgpu`
// package (a native addon, kept external): `npx tsx scripts/bundle-cli.ts [OUT_DIR]` (default dist/cli/).
// Shaders are inlined with their `// #include` lines expanded (the app's Vite plugin); tfjs is bundled
// for `bench-peers`. Used by scripts/device-bench-gpu.sh to carry the CLI to a GPU machine.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
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
    ssr: true,
    outDir,
    emptyOutDir: true,
    target: 'node20',
    minify: false,
    rollupOptions: {
      // The DNN worker threads' entry (src/engine/dnnThreads.ts starts ./dnnThreadBoot.mjs beside itself):
      // the worker body bundled, which needs no tsx.
      input: {
        sparsescope: resolve(import.meta.dirname, 'cli-bundle-entry.ts'),
        dnnThreadBoot: resolve(import.meta.dirname, '../src/engine/dnnThread.ts'),
      },
      output: {
        entryFileNames: (chunk) => (chunk.name === 'dnnThreadBoot' ? 'assets/[name].mjs' : '[name].mjs'),
        chunkFileNames: 'assets/[name]-[hash].js',
        format: 'es',
      },
    },
  },
});
// The worker entry must sit beside the chunk that starts it.
const assets = join(outDir, 'assets');
const starter = readdirSync(assets).find((f) =>
  readFileSync(join(assets, f), 'utf8').includes('new URL("./dnnThreadBoot.mjs", import.meta.url)'),
);
if (!starter || !existsSync(join(assets, 'dnnThreadBoot.mjs'))) {
  throw new Error(`bundle-cli: the DNN worker entry is not beside its starter (${starter ?? 'not found'})`);
}
console.log(`bundled the CLI into ${outDir}/sparsescope.mjs (DNN worker entry assets/dnnThreadBoot.mjs)`);
