import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { cspPlugin } from './scripts/cspPlugin.js';
import { datasetsPlugin } from './scripts/datasetsPlugin.js';
import { testCacheDir } from './scripts/testCacheDir.js';
import { wgslIncludesPlugin } from './scripts/wgslPlugin.js';

// One config for the app (vite), the unit tier and the GPU tier (vitest projects).
export default defineConfig({
  // Relative asset URLs: the built site works from any folder of any static host (or file-less offline
  // copies served by any static server), not only from the domain root.
  base: './',
  // End-to-end runs serve without live reload: a file saved mid-test must not reload the page under test.
  server: { port: 5173, strictPort: false, hmr: process.env.SPARSESCOPE_E2E ? false : undefined },
  preview: { port: 4173 },
  build: { target: 'es2022', chunkSizeWarningLimit: 2000 },
  // Workers get the same `*.wgsl?raw` expansion as the app (Vite does not apply `plugins` to worker bundles).
  worker: { format: 'es', plugins: () => [wgslIncludesPlugin()] },
  // /datasets/graph-challenge-dnn/* from <repo>/../shared/data (or $SPARSESCOPE_DATA), copied into builds.
  plugins: [
    cspPlugin(),
    // `*.wgsl?raw` with `// #include "…"` lines expanded (docs/kernels.md).
    wgslIncludesPlugin(),
    datasetsPlugin({
      repoRoot: fileURLToPath(new URL('.', import.meta.url)),
      datasets: ['graph-challenge-dnn'],
    }),
  ],
  test: {
    // The CLI's kernel-tuning cache ($XDG_CACHE_HOME/sparsescope/tuning.json) goes to a temporary folder for
    // every test and every CLI a test spawns: no test writes to the real home. Removed when the run ends.
    env: { XDG_CACHE_HOME: testCacheDir },
    globalSetup: ['./scripts/testCacheDir.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], environment: 'node' },
      },
      {
        extends: true,
        // The CLI's seeded fuzz tier: spawned processes under a memory limit and a timeout (tests/fuzz).
        test: {
          name: 'fuzz',
          include: ['tests/fuzz/**/*.test.ts'],
          environment: 'node',
          testTimeout: 1_000_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'gpu',
          include: ['tests/gpu/**/*.test.ts'],
          environment: 'node',
          // Dawn holds one Vulkan instance per process; keep GPU files in one forked worker and share its
          // device and pipeline cache across files (SwiftShader compiles are slow).
          pool: 'forks',
          maxWorkers: 1,
          isolate: false,
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
