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
  },
  webServer: {
    command: `SPARSESCOPE_E2E=1 npx vite --host 127.0.0.1 --port ${PORT} --strictPort`,
    url: `http://127.0.0.1:${PORT}`,
    reuseExistingServer: !process.env.CI,
    timeout: 60_000,
  },
  projects: [
    {
      name: 'webgpu',
      testIgnore: /\.cpu\.spec\.ts$/,
      use: { launchOptions: { executablePath: CHROMIUM, args: [...QUIET, ...WEBGPU] } },
    },
    {
      name: 'no-webgpu',
      testMatch: /\.cpu\.spec\.ts$/,
      use: { launchOptions: { executablePath: CHROMIUM, args: [...QUIET, ...NO_WEBGPU] } },
    },
  ],
});
