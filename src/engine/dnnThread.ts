// Body of a DNN worker thread: holds one network's transposed layers and runs the skip-zeros kernel
// (src/math/dnn.ts) on the image slices the pool (src/engine/dnnThreads.ts) sends it, served over the
// worker RPC (rpc.ts, nodeRpc.ts).
import { parentPort } from 'node:worker_threads';
import { CsrMatrix, type CsrParts } from '../math/csr';
import { runSkipZerosTransposed } from '../math/dnn';
import { portScope } from './nodeRpc';
import { serveRpc } from './rpc';

export interface DnnSliceResult {
  y: Float32Array;
  layerMs: number[];
}

export type DnnThreadApi = {
  load(arg: { layers: CsrParts[]; bias: number; ymax: number }): void;
  run(arg: { input: CsrParts }): DnnSliceResult;
};

/** The reply's activations are handed over, not copied. */
export function dnnThreadTransfer(method: string, value: unknown): Transferable[] {
  return method === 'run' ? [(value as DnnSliceResult).y.buffer as ArrayBuffer] : [];
}

class DnnThread implements DnnThreadApi {
  private network: { transposed: CsrMatrix[]; bias: number; ymax: number } | null = null;

  load({ layers, bias, ymax }: { layers: CsrParts[]; bias: number; ymax: number }): void {
    const transposed = layers.map((p, l) => new CsrMatrix(p, `layer ${l + 1}`).transpose());
    this.network = { transposed, bias: Math.fround(bias), ymax };
  }

  run({ input }: { input: CsrParts }): DnnSliceResult {
    if (!this.network) throw new Error('DNN worker: no network loaded');
    const { transposed, bias, ymax } = this.network;
    const { layerMs, y } = runSkipZerosTransposed(transposed, new CsrMatrix(input, 'images'), bias, ymax);
    return { y, layerMs };
  }
}

if (parentPort) serveRpc<DnnThreadApi>(portScope(parentPort), new DnnThread(), dnnThreadTransfer);
