// Entry of a DNN worker thread (src/engine/dnnThreads.ts): lets the thread import the TypeScript sources
// through tsx, as the CLI's main thread does (bin/sparsescope.mjs), then starts the worker body.
const { register } = await import('tsx/esm/api');
register();
await import('./dnnThread.ts');
