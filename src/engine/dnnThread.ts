// Body of a DNN worker thread: holds one network and runs the CPU sparse kernel on the image slices the
// pool (src/engine/dnnThreads.ts) sends it, served over the worker RPC (rpc.ts, nodeRpc.ts): the WASM
// SIMD live-images kernel (src/math/wasm/dnnWasm.ts; its weights resident in this thread's wasm memory)
// or the JavaScript skip-zeros kernel (src/math/dnn.ts, on layers transposed once at load).
import { parentPort } from 'node:worker_threads';
import { CsrMatrix, type CsrParts } from '../math/csr';
import { type DnnSparseKernel, resolveDnnKernel, runLiveSimd, runSkipZerosTransposed } from '../math/dnn';
import { portScope } from './nodeRpc';
import { serveRpc } from './rpc';

/** The kernels a worker thread can run (spmm, the all-images kernel, stays on the main thread). */
export type DnnLoopKernel = Exclude<DnnSparseKernel, 'spmm'>;

export interface DnnSliceResult {
  y: Float32Array;
  layerMs: number[];
  fallback?: string; // the live-simd kernel ran out of wasm memory and skip-zeros ran (runLiveSimd)
}

export type DnnThreadApi = {
  /** Returns the kernel this thread runs ('live-simd' falls back to 'skip-zeros' without WASM SIMD). */
  load(arg: { layers: CsrParts[]; bias: number; ymax: number; kernel: DnnLoopKernel }): DnnLoopKernel;
  run(arg: { input: CsrParts }): DnnSliceResult;
};

/** The reply's activations are handed over, not copied. */
export function dnnThreadTransfer(method: string, value: unknown): Transferable[] {
  return method === 'run' ? [(value as DnnSliceResult).y.buffer as ArrayBuffer] : [];
}

class DnnThread implements DnnThreadApi {
  private network: {
    layers: CsrMatrix[];
    transposed: CsrMatrix[] | null;
    bias: number;
    ymax: number;
    kernel: DnnLoopKernel;
  } | null = null;
  /** live-simd's layers transposed for skip-zeros, made on its first fallback (runLiveSimd). */
  private fallbackLayers: CsrMatrix[] | null = null;

  load({
    layers,
    bias,
    ymax,
    kernel,
  }: {
    layers: CsrParts[];
    bias: number;
    ymax: number;
    kernel: DnnLoopKernel;
  }) {
    const csr = layers.map((p, l) => new CsrMatrix(p, `layer ${l + 1}`));
    const resolved = resolveDnnKernel(kernel) as DnnLoopKernel;
    const transposed = resolved === 'skip-zeros' ? csr.map((w) => w.transpose()) : null;
    this.network = { layers: csr, transposed, bias: Math.fround(bias), ymax, kernel: resolved };
    this.fallbackLayers = null;
    return resolved;
  }

  run({ input }: { input: CsrParts }): DnnSliceResult {
    if (!this.network) throw new Error('DNN worker: no network loaded');
    const { layers, transposed, bias, ymax } = this.network;
    const images = new CsrMatrix(input, 'images');
    if (transposed) return runSkipZerosTransposed(transposed, images, bias, ymax);
    const { y, layerMs, fallback } = runLiveSimd(layers, images, bias, ymax, 0, () => {
      this.fallbackLayers ??= layers.map((w) => w.transpose()); // a later fallback reuses them
      return this.fallbackLayers;
    });
    return { y, layerMs, ...(fallback ? { fallback } : {}) };
  }
}

if (parentPort) serveRpc<DnnThreadApi>(portScope(parentPort), new DnnThread(), dnnThreadTransfer);
