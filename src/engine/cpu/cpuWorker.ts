// Web Worker entry of the CPU backend: one worker per path, so the page never freezes and the dense and
// sparse paths can run on two cores at once.
import { CpuPathRunner, type CpuRequest } from './protocol';

const runner = new CpuPathRunner(true); // one path per worker: it owns this thread's WASM heap

self.onmessage = (event: MessageEvent<CpuRequest>) => {
  const response = runner.handle(event.data);
  const transfer: Transferable[] = [];
  if (response.ok && response.result) {
    const { logits, activations } = response.result;
    transfer.push(
      logits.buffer,
      ...activations.residual.map((a) => a.buffer),
      ...activations.mlp.map((a) => a.buffer),
    );
  }
  (self as unknown as Worker).postMessage(response, transfer);
};
