// The page's side of the layered-network loader: a Web Worker in the browser, inline where there is no
// Worker (Node). Turns the worker's CSR parts back into validated matrices.
import { CsrMatrix } from '../../math/csr';
import type { SparseDnn } from '../../model/dnn';
import { InlineRpc, type RpcClient, type RpcProgress, WorkerRpc } from '../rpc';
import { DnnLoader, type DnnLoaderApi, type DnnParseRequest } from './loader';

export interface LoadedDnn {
  dnn: SparseDnn;
  input?: CsrMatrix;
  truth?: number[];
  dense?: Float32Array[];
  parseMs: number;
}

export class DnnLoaderClient {
  private readonly rpc: RpcClient<DnnLoaderApi>;

  constructor(makeWorker?: () => Worker) {
    this.rpc = makeWorker
      ? new WorkerRpc<DnnLoaderApi>(makeWorker(), 'DNN worker')
      : new InlineRpc<DnnLoaderApi>(new DnnLoader(), 'DNN worker');
  }

  /**
   * Reads and parses the files in the worker (progress 0..1); it keeps the network for activations().
   * `files.dense`: also return each layer's dense copy, made there. `between`: awaited every few layers
   * while validating (a page's nextTask), so validation is no long task.
   */
  async parse(
    files: DnnParseRequest,
    progress?: RpcProgress,
    between?: () => Promise<void>,
  ): Promise<LoadedDnn> {
    const reply = await this.rpc.call('parse', files, { onProgress: progress });
    // Validating 30 layers of CSR is ~1M checks: a few layers per task keeps the page painting.
    const layers: CsrMatrix[] = [];
    for (const [l, p] of reply.layers.entries()) {
      layers.push(new CsrMatrix(p, reply.names[l]));
      if (l % 8 === 7) await between?.();
    }
    const dnn: SparseDnn = { layers, names: reply.names, bias: reply.bias, ymax: reply.ymax };
    const input = reply.input && new CsrMatrix(reply.input, 'input images');
    return { dnn, input, truth: reply.truth, dense: reply.dense, parseMs: reply.parseMs };
  }

  /** Every layer's activations for a few images (0-based rows of the parsed input): see dnnLayerActivations. */
  activations(images: readonly number[]): Promise<Record<string, Float32Array>> {
    return this.rpc.call('activations', [...images]);
  }

  terminate(): void {
    this.rpc.terminate();
  }
}

/** The browser's worker (Vite bundles the module). */
export function browserDnnWorker(): Worker {
  return new Worker(new URL('./loaderWorker.ts', import.meta.url), {
    type: 'module',
    name: 'sparsescope-dnn',
  });
}
