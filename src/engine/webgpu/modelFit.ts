// What fits on the GPU. WebGPU exposes per-buffer limits (maxStorageBufferBindingSize, maxBufferSize), which
// checkModelFits (modelBuffers.ts) checks before anything is allocated; it exposes no figure for the
// device's total memory, so the total cannot be checked in advance. What can be done honestly: know the
// total each network will allocate (gpuModelBytes, the same sums uploadModel makes), and when the device
// runs out of memory while uploading (an 'out-of-memory' error scope, or a mapped buffer that cannot be
// created), say so with the sizes instead of failing later with a lost device or garbage.

import type { WeightPath } from '../../contracts';
import type { GpuContext } from '../../gpu/context';
import { attentionWidth } from '../../math/arch';
import type { Gpt2Weights, Linear } from '../../model/weights';

const csrBytes = (c: { rows: number; nnz: number }) => 4 * (c.rows + 1) + 8 * c.nnz;
const f32 = (a: Float32Array | null | undefined) => 4 * (a?.length ?? 0);
export const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/** Bytes uploadModel allocates for one network on `path`: weights, norms, KV caches, circuit_sparsity extras. */
export function gpuModelBytes(weights: Gpt2Weights, path: WeightPath): number {
  const { nCtx, nHead } = weights.config;
  const lin = (l: Linear) => f32(l.b) + (path === 'sparse' && l.csr ? csrBytes(l.csr) : f32(l.w));
  let bytes = f32(weights.wte) + f32(weights.wpe) + f32(weights.lnf.g) + f32(weights.lnf.b);
  for (const blk of weights.blocks) {
    bytes += f32(blk.ln1.g) + f32(blk.ln1.b) + f32(blk.ln2.g) + f32(blk.ln2.b);
    bytes += lin(blk.qkv) + lin(blk.attnProj) + lin(blk.fc) + lin(blk.fcProj);
    bytes += 2 * 4 * nCtx * attentionWidth(weights.config); // K and V caches
  }
  if (path === 'sparse' && weights.wteCsr) bytes += csrBytes(weights.wteCsr);
  const head = weights.head;
  if (head) {
    bytes += f32(head.bias) + f32(head.bigram) + 4 * nHead * weights.blocks.length; // sink logits
    bytes += path === 'sparse' && head.csr ? csrBytes(head.csr) : f32(head.w);
  }
  return bytes;
}

/** Both networks' total, for messages. */
export function describeModelBytes(models: { dense: Gpt2Weights; sparse: Gpt2Weights }): string {
  const dense = gpuModelBytes(models.dense, 'dense');
  const sparse = gpuModelBytes(models.sparse, 'sparse');
  return `about ${mib(dense + sparse)} for both networks (dense ${mib(dense)}, sparse ${mib(sparse)})`;
}

/**
 * Runs the uploads inside an out-of-memory error scope; when the device reports running out (or a mapped
 * buffer cannot be created), `cleanup` frees what was made and the error names the sizes asked for.
 */
export async function uploadWithinMemory<T>(
  ctx: GpuContext,
  sizes: string,
  upload: () => T,
  cleanup: () => void,
): Promise<T> {
  ctx.device.pushErrorScope('out-of-memory');
  let result: T | undefined;
  let thrown: unknown = null;
  try {
    result = upload();
  } catch (err) {
    thrown = err;
  }
  const oom = await ctx.device.popErrorScope();
  if (thrown && !(thrown instanceof RangeError)) {
    cleanup();
    throw thrown;
  }
  if (oom || thrown) {
    cleanup();
    const detail = oom?.message || (thrown instanceof Error ? thrown.message : String(thrown));
    throw new Error(
      `The GPU ran out of memory while uploading this model: it needs ${sizes}. WebGPU does not tell how ` +
        `much memory a GPU has, so this could not be checked in advance. Use a smaller model or the CPU ` +
        `backend. (${detail})`,
    );
  }
  return result as T;
}
