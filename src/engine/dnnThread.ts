// Body of a DNN worker thread: holds one network's transposed layers and runs the skip-zeros kernel
// (src/math/dnn.ts) on the image slices the pool (src/engine/dnnThreads.ts) sends it.
import { parentPort } from 'node:worker_threads';
import { CsrMatrix, type CsrParts } from '../math/csr';
import { runSkipZerosTransposed } from '../math/dnn';

export type DnnWorkerRequest =
  | { type: 'load'; layers: CsrParts[]; bias: number; ymax: number }
  | { type: 'run'; input: CsrParts };
export type DnnWorkerReply =
  | { type: 'loaded' }
  | { type: 'done'; y: Float32Array; layerMs: number[] }
  | { type: 'error'; message: string };

let network: { transposed: CsrMatrix[]; bias: number; ymax: number } | null = null;

function handle(request: DnnWorkerRequest): DnnWorkerReply {
  if (request.type === 'load') {
    const transposed = request.layers.map((p, l) => new CsrMatrix(p, `layer ${l + 1}`).transpose());
    network = { transposed, bias: Math.fround(request.bias), ymax: request.ymax };
    return { type: 'loaded' };
  }
  if (!network) throw new Error('DNN worker: no network loaded');
  const { layerMs, y } = runSkipZerosTransposed(
    network.transposed,
    new CsrMatrix(request.input, 'images'),
    network.bias,
    network.ymax,
  );
  return { type: 'done', y, layerMs };
}

const port = parentPort;
if (port) {
  port.on('message', (request: DnnWorkerRequest) => {
    let reply: DnnWorkerReply;
    try {
      reply = handle(request);
    } catch (err) {
      reply = { type: 'error', message: err instanceof Error ? err.message : String(err) };
    }
    port.postMessage(reply, reply.type === 'done' ? [reply.y.buffer as ArrayBuffer] : []);
  });
}
