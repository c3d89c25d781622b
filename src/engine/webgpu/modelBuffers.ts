// One network's weights on the GPU, uploaded once at prepare time and freed in dispose():
// embeddings and layer norms always; the linear layers as dense matrices (dense path) or CSR (sparse path).

import type { WeightPath } from '../../contracts';
import { storageBuffer, uploadStorage } from '../../gpu/buffers';
import type { GpuContext } from '../../gpu/context';
import type { CsrBuffers, CsrSpmm } from '../../gpu/kernels/spmmCsr';
import { OwnedResources } from '../../gpu/owned';
import { attentionWidth } from '../../math/arch';
import type { Gpt2Weights, Linear } from '../../model/weights';
import { type GpuCspExtras, largestCspBuffer, uploadCspExtras } from './cspBuffers';
import { gpuModelBytes, mib } from './modelFit';

export interface GpuLinear {
  n: number;
  k: number;
  bias: GPUBuffer;
  dense?: GPUBuffer; // (n, k) out×in
  csr?: CsrBuffers;
}

interface GpuBlock {
  ln1g: GPUBuffer;
  ln1b: GPUBuffer;
  qkv: GpuLinear;
  attnProj: GpuLinear;
  ln2g: GPUBuffer;
  ln2b: GPUBuffer;
  fc: GpuLinear;
  fcProj: GpuLinear;
  kcache: GPUBuffer; // (nCtx, d)
  vcache: GPUBuffer; // (nCtx, d)
}

export interface GpuModel {
  path: WeightPath;
  wte: GPUBuffer;
  wpe: GPUBuffer;
  lnfg: GPUBuffer;
  lnfb: GPUBuffer;
  /** Sparse path with pruned embeddings: the tied unembedding as CSR (else the dense wte is used). */
  unembedCsr?: CsrBuffers;
  blocks: GpuBlock[];
  /** circuit_sparsity models: unembedding, bigram table, sink logits. */
  csp?: GpuCspExtras;
  bytes: number;
  dispose(): void;
}

/** The largest single buffer a model needs, to check against the device before allocating anything. */
export function largestBufferBytes(weights: Gpt2Weights): { bytes: number; name: string } {
  const { vocabSize, dModel, dMlp, nCtx } = weights.config;
  const candidates = [
    { bytes: 4 * vocabSize * dModel, name: 'wte (token embedding)' },
    { bytes: 4 * nCtx * dModel, name: 'wpe (position embedding)' },
    { bytes: 4 * dMlp * dModel, name: 'an MLP weight matrix' },
    { bytes: 4 * 3 * attentionWidth(weights.config) * dModel, name: 'a qkv weight matrix' },
    ...[largestCspBuffer(weights)].filter((c) => c !== null),
  ];
  return candidates.reduce((a, b) => (b.bytes > a.bytes ? b : a));
}

/** Throws a clear error, before any allocation, when the model cannot fit the device's binding limits. */
export function checkModelFits(ctx: GpuContext, weights: Gpt2Weights): void {
  const { bytes, name } = largestBufferBytes(weights);
  const { maxStorageBufferBindingSize: binding, maxBufferSize: buffer } = ctx.limits;
  const limit = Math.min(binding, buffer);
  if (bytes > limit) {
    throw new Error(
      `This model needs a ${mib(bytes)} buffer for ${name}, but this GPU allows at most ${mib(limit)} per ` +
        `buffer (maxStorageBufferBindingSize ${mib(binding)}, maxBufferSize ${mib(buffer)}); the whole ` +
        `network needs about ${mib(gpuModelBytes(weights, weights.blocks[0]?.qkv.csr ? 'sparse' : 'dense'))}. ` +
        'Use a smaller model or the CPU backend.',
    );
  }
}

export function uploadModel(
  ctx: GpuContext,
  spmm: CsrSpmm,
  weights: Gpt2Weights,
  path: WeightPath,
): GpuModel {
  checkModelFits(ctx, weights);
  const { device } = ctx;
  const owned = new OwnedResources();
  let bytes = 0;
  const up = (label: string, data: Float32Array) => {
    const b = uploadStorage(device, label, data);
    owned.add(b);
    bytes += b.size;
    return b;
  };
  const linear = (label: string, lin: Linear): GpuLinear => {
    const out: GpuLinear = { n: lin.n, k: lin.k, bias: up(`${label}.bias`, lin.b) };
    if (path === 'dense') {
      out.dense = up(`${label}.w`, lin.w);
    } else {
      if (!lin.csr) throw new Error(`${label}: the sparse path needs CSR weights (sparsify the model first)`);
      out.csr = spmm.upload(device, lin.csr, `${label}.csr`);
      owned.add(out.csr);
      bytes += 4 * (lin.csr.rows + 1) + 8 * lin.csr.nnz;
    }
    return out;
  };
  const { nCtx } = weights.config;
  const prefix = `Gpt2.${path}`;
  const blocks = weights.blocks.map((blk, i): GpuBlock => {
    const p = `${prefix}.h${i}`;
    const cache = (name: string) => {
      const b = storageBuffer(device, `${p}.${name}`, 4 * nCtx * attentionWidth(weights.config));
      owned.add(b);
      bytes += b.size;
      return b;
    };
    return {
      ln1g: up(`${p}.ln1.g`, blk.ln1.g),
      ln1b: up(`${p}.ln1.b`, blk.ln1.b),
      qkv: linear(`${p}.qkv`, blk.qkv),
      attnProj: linear(`${p}.attnProj`, blk.attnProj),
      ln2g: up(`${p}.ln2.g`, blk.ln2.g),
      ln2b: up(`${p}.ln2.b`, blk.ln2.b),
      fc: linear(`${p}.fc`, blk.fc),
      fcProj: linear(`${p}.fcProj`, blk.fcProj),
      kcache: cache('kcache'),
      vcache: cache('vcache'),
    };
  });
  let unembedCsr: CsrBuffers | undefined;
  if (path === 'sparse' && weights.wteCsr) {
    unembedCsr = spmm.upload(device, weights.wteCsr, `${prefix}.unembed.csr`);
    owned.add(unembedCsr);
    bytes += 4 * (weights.wteCsr.rows + 1) + 8 * weights.wteCsr.nnz;
  }
  const csp = weights.head
    ? uploadCspExtras(device, spmm, weights, path, prefix, up, (resource, size) => {
        owned.add(resource);
        bytes += size;
      })
    : undefined;
  return {
    path,
    unembedCsr,
    csp,
    wte: up(`${prefix}.wte`, weights.wte),
    wpe: up(`${prefix}.wpe`, weights.wpe),
    lnfg: up(`${prefix}.lnf.g`, weights.lnf.g),
    lnfb: up(`${prefix}.lnf.b`, weights.lnf.b),
    blocks,
    get bytes() {
      return bytes;
    },
    dispose() {
      owned.dispose();
    },
  };
}
