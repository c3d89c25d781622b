// Web Worker entry of the CPU backend: one worker per path, so the page never freezes and the dense and
// sparse paths can run on two cores at once.
import { serveRpc, type WorkerScopeLike } from '../rpc';
import { type CpuPathApi, CpuPathRunner, cpuReplyTransfer } from './protocol';

// One path per worker: it owns this thread's WASM heap.
serveRpc<CpuPathApi>(self as unknown as WorkerScopeLike, new CpuPathRunner(true), cpuReplyTransfer);
