// Messages between the CPU backend and its workers, and the handler the worker runs. Pure: the same
// handler runs inline in Node (CLI, tests) and inside a Web Worker in the browser.

import type { ForwardResult, WeightPath } from '../../contracts';
import { createKvCache, type KvCache } from '../../math/attention';
import { CsrMatrix } from '../../math/csr';
import { forwardCpu } from '../../math/transformer';
import { keepResident, releaseResident } from '../../math/wasm/heap';
import { keepCsrResident } from '../../math/wasm/spmmWasm';
import type { Gpt2Weights, Linear } from '../../model/weights';

export type CpuRequest =
  | { id: number; type: 'prepare'; weights: Gpt2Weights; path: WeightPath }
  | {
      id: number;
      type: 'forward';
      tokens: number[];
      append: boolean;
      activations: boolean;
      logits: 'all' | 'last';
      repeats?: Record<string, number>;
    }
  | { id: number; type: 'dispose' };

export type CpuResponse =
  | { id: number; ok: true; result?: ForwardResult; cacheLength: number }
  | { id: number; ok: false; error: string };

/** Structured cloning drops class prototypes: rebuild (and re-validate) CSR matrices after a postMessage. */
export function reviveWeights(weights: Gpt2Weights): Gpt2Weights {
  const revive = (lin: Linear) => {
    if (lin.csr && !(lin.csr instanceof CsrMatrix)) lin.csr = new CsrMatrix(lin.csr);
  };
  for (const blk of weights.blocks) [blk.qkv, blk.attnProj, blk.fc, blk.fcProj].forEach(revive);
  if (weights.wteCsr && !(weights.wteCsr instanceof CsrMatrix))
    weights.wteCsr = new CsrMatrix(weights.wteCsr);
  if (weights.head?.csr && !(weights.head.csr instanceof CsrMatrix))
    weights.head.csr = new CsrMatrix(weights.head.csr);
  return weights;
}

/**
 * Copy this path's weights into WebAssembly memory once, so decoding (batch 1) does not pay a weight copy
 * per call; weights past the resident budget keep working, copied per call.
 */
function pinWeights(weights: Gpt2Weights, path: WeightPath): void {
  for (const blk of weights.blocks) {
    for (const lin of [blk.qkv, blk.attnProj, blk.fc, blk.fcProj]) {
      if (path === 'sparse' && lin.csr) keepCsrResident(lin.csr);
      else keepResident(lin.w);
    }
  }
  if (path === 'sparse' && weights.wteCsr) keepCsrResident(weights.wteCsr);
  else keepResident(weights.wte);
}

/** State of one path's worker: its weights and KV cache. */
export class CpuPathRunner {
  private weights: Gpt2Weights | null = null;
  private path: WeightPath = 'dense';
  private cache: KvCache | null = null;

  /** `ownsHeap`: this runner is alone in its thread (a worker) and may reset the WASM weight arena. */
  constructor(private readonly ownsHeap = false) {}

  handle(request: CpuRequest): CpuResponse {
    try {
      if (request.type === 'prepare') {
        this.weights = reviveWeights(request.weights);
        this.path = request.path;
        if (this.ownsHeap) releaseResident();
        pinWeights(this.weights, this.path);
        this.cache = createKvCache(this.weights.config);
        return { id: request.id, ok: true, cacheLength: 0 };
      }
      if (request.type === 'dispose') {
        if (this.ownsHeap) releaseResident();
        this.weights = null;
        this.cache = null;
        return { id: request.id, ok: true, cacheLength: 0 };
      }
      if (!this.weights || !this.cache) throw new Error('CPU backend: prepare() a model first');
      if (!request.append) this.cache.length = 0;
      const { nCtx } = this.weights.config;
      if (this.cache.length + request.tokens.length > nCtx) {
        throw new Error(
          `forward: ${this.cache.length} cached + ${request.tokens.length} new tokens exceed the model's context of ${nCtx}`,
        );
      }
      const result = forwardCpu(this.weights, request.tokens, {
        path: this.path,
        cache: this.cache,
        collectActivations: request.activations,
        repeats: request.repeats,
      });
      if (request.logits === 'last') {
        const vocab = this.weights.config.vocabSize;
        result.logits = result.logits.slice(result.logits.length - vocab);
      }
      return { id: request.id, ok: true, result, cacheLength: this.cache.length };
    } catch (err) {
      return { id: request.id, ok: false, error: err instanceof Error ? err.message : String(err) };
    }
  }
}
