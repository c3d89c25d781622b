// Vite plugin: the app's Content-Security-Policy as a <meta> tag in index.html, in builds and on the dev
// server alike (so the end-to-end suite runs under it). No inline script; WebAssembly compiled from bytes
// needs 'wasm-unsafe-eval' (the CPU backend's SIMD kernels); workers, data and models come from the
// app's own origin. Styles allow 'unsafe-inline': lil-gui and Vite's dev server insert <style> elements.
// A host that can send headers should send the same policy as a header, plus frame-ancestors (which a
// <meta> policy cannot carry).
import type { Plugin } from 'vite';

function contentSecurityPolicy(dev: boolean): string {
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "worker-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:", // lil-gui's stylesheet embeds its icon font as a data: URL
    `connect-src 'self'${dev ? ' ws: wss:' : ''}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'none'",
  ].join('; ');
}

export function cspPlugin(): Plugin {
  let dev = false;
  return {
    name: 'sparsescope-csp',
    configResolved(config) {
      dev = config.command === 'serve' && !config.isProduction;
    },
    transformIndexHtml: {
      order: 'pre',
      handler: () => [
        {
          tag: 'meta',
          attrs: { 'http-equiv': 'Content-Security-Policy', content: contentSecurityPolicy(dev) },
          injectTo: 'head-prepend',
        },
      ],
    },
  };
}
