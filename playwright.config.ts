import { defineConfig } from '@playwright/test';

// Debian's Chromium (Playwright cannot download browsers here). SwiftShader gives WebGPU compute and a
// working WebGL/WebGPU canvas on machines without a GPU; see ../shared/ENV.md for why these flags.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const QUIET = [
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const WEBGPU = [
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-vulkan=swiftshader',
  '--use-angle=swiftshader',
];
// Without --enable-unsafe-webgpu, requestAdapter() returns null on a CPU-only machine: the CPU fallback path.
const NO_WEBGPU = ['--use-angle=swiftshader'];
const PORT = Number(process.env.SPARSESCOPE_E2E_PORT ?? 5199);
// The built site (`vite build`, relative base) served by `vite preview` from a sub-path, for the `built`
// project only: its server (a ~10 s build) starts when that project is part of the run.
const BUILT_PORT = PORT + 1000;
const BUILT_BASE = '/deep/sub/path/';
const cli = process.argv.join(' ');
const withBuilt = !/--project/.test(cli) || /--project[= ]built\b/.test(cli);
const onlyBuilt = withBuilt && /--project/.test(cli) && !/--project[= ](webgpu|no-webgpu)\b/.test(cli);
const devServer = {
  command: `SPARSESCOPE_E2E=1 npx vite --host 127.0.0.1 --port ${PORT} --strictPort`,
  url: `http://127.0.0.1:${PORT}`,
  reuseExistingServer: !process.env.CI,
  timeout: 60_000,
};
const builtServer = {
  command:
    `npx vite build --outDir dist/e2e --emptyOutDir --logLevel warn && ` +
    `npx vite preview --outDir dist/e2e --base ${BUILT_BASE} --host 127.0.0.1 --port ${BUILT_PORT} --strictPort`,
  url: `http://127.0.0.1:${BUILT_PORT}${BUILT_BASE}`,
  reuseExistingServer: false,
  timeout: 120_000,
};

// Every spec starts with kernel tuning off (src/ui/kernelTuning.ts): tuning on each fresh page's first load
// would add its budget to every test. tests/e2e/autotune.spec.ts clears this and tunes.
const TUNING_OFF = { name: 'sparsescope.tuning.off', value: '1' };
const storageState = {
  cookies: [],
  origins: [PORT, BUILT_PORT].map((port) => ({
    origin: `http://127.0.0.1:${port}`,
    localStorage: [TUNING_OFF],
  })),
};

export default defineConfig({
  testDir: 'tests/e2e',
  timeout: 120_000,
  expect: { timeout: 30_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    viewport: { width: 1280, height: 800 },
    screenshot: 'only-on-failure',
    storageState,
  },
  webServer: onlyBuilt ? [builtServer] : withBuilt ? [devServer, builtServer] : [devServer],
  projects: [
    {
      name: 'webgpu',
      testIgnore: /\.(cpu|built)\.spec\.ts$/,
      use: { launchOptions: { executablePath: CHROMIUM, args: [...QUIET, ...WEBGPU] } },
    },
    {
      name: 'no-webgpu',
      testMatch: /\.cpu\.spec\.ts$/,
      use: { launchOptions: { executablePath: CHROMIUM, args: [...QUIET, ...NO_WEBGPU] } },
    },
    {
      name: 'built',
      testMatch: /\.built\.spec\.ts$/,
      use: {
        baseURL: `http://127.0.0.1:${BUILT_PORT}${BUILT_BASE}`,
        launchOptions: { executablePath: CHROMIUM, args: [...QUIET, ...WEBGPU] },
      },
    },
  ],
});
