// Web Worker entry of a layered network's reading, parsing and CPU path (dnnCpu.ts).
import { type DnnCpuProgress, type DnnCpuRequest, DnnCpuRunner, transferables } from './dnnCpu';

const runner = new DnnCpuRunner();
// A worker's global scope posts like a Worker.
const post = (message: unknown, transfer: Transferable[] = []) =>
  (self as unknown as Worker).postMessage(message, transfer);

self.onmessage = async (event: MessageEvent<DnnCpuRequest>) => {
  const response = await runner.handle(event.data, (p: DnnCpuProgress) => post(p));
  post(response, transferables(response));
};
