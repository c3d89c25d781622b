// What the CPU backend's path workers serve (src/engine/rpc.ts carries the calls), and the runner that
// serves it. Pure: the same runner runs inline in Node (CLI, tests) and inside a Web Worker in the browser.
// A runner holds one path of one model: a GPT-2 path (weights + KV cache) or a layered network.

import type { ForwardResult, WeightPath } from '../../contracts';
import { createKvCache, type KvCache } from '../../math/attention';
import { CsrMatrix, type CsrParts } from '../../math/csr';
import type { SparseDnn } from '../../math/dnn';
import { runDnnCpu } from '../../math/dnn';
import { forwardCpu } from '../../math/transformer';
import { type FallbackNote, takeWasmFallbacks } from '../../math/wasm/fallbacks';
import { keepResident, releaseResident } from '../../math/wasm/heap';
import { keepCsrResident } from '../../math/wasm/spmmWasm';
import type { Gpt2Weights, Linear } from '../../model/weights';
import type { DnnParts } from '../dnn/loader';

export interface ForwardRequest {
  tokens: number[];
  append: boolean;
  activations: boolean;
  logits: 'all' | 'last';
  /** Per op, how many times to run it inside one timed span (the measurement protocol's repeats). */
  repeats?: Record<string, number>;
}

export interface ForwardReply {
  result: ForwardResult;
  cacheLength: number;
  /** Kernels that fell back to JavaScript during this call (src/math/wasm/fallbacks.ts), if any. */
  fallbacks?: FallbackNote[];
}

export interface DnnRunReply {
  categories: number[];
  layerMs: number[];
  seconds: number;
  /** Kernel calls each layer's time is the mean of (DNN_MIN_LAYER_MS), where more than one ran. */
  layerRepeats?: number[];
  /** The live-simd kernel's fallback (runDnnCpu) and kernels that fell back to JavaScript, if any. */
  fallbacks?: FallbackNote[];
}

/**
 * A layer of a few live images takes ≈ 0.03 ms in the WASM kernel, under a browser timer's 0.1 ms: each
 * layer's kernel is repeated for at least this long and its mean reported (runDnnWasm's minLayerMs).
 */
const DNN_MIN_LAYER_MS = 1;

/** The calls a path worker answers. */
export type CpuPathApi = {
  prepare(arg: { weights: Gpt2Weights; path: WeightPath }): void;
  forward(arg: ForwardRequest): ForwardReply;
  prepareDnn(arg: DnnParts): void;
  runDnn(arg: { input: CsrParts; path: WeightPath }): DnnRunReply;
  dispose(arg: null): void;
};

/** The buffers a reply hands over rather than copies (made per call, never kept by the worker). */
export function cpuReplyTransfer(method: string, value: unknown): Transferable[] {
  if (method !== 'forward') return [];
  const { logits, activations } = (value as ForwardReply).result;
  return [logits, ...activations.residual, ...activations.mlp]
    .map((a) => a.buffer)
    .filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
}

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

/** State of one path's worker: its weights and KV cache, or its layered network. */
export class CpuPathRunner implements CpuPathApi {
  private weights: Gpt2Weights | null = null;
  private path: WeightPath = 'dense';
  private cache: KvCache | null = null;
  private dnn: SparseDnn | null = null;

  /** `ownsHeap`: this runner is alone in its thread (a worker) and may reset the WASM weight arena. */
  constructor(private readonly ownsHeap = false) {}

  prepare({ weights, path }: { weights: Gpt2Weights; path: WeightPath }): void {
    this.dispose();
    this.weights = reviveWeights(weights);
    this.path = path;
    pinWeights(this.weights, this.path);
    this.cache = createKvCache(this.weights.config);
  }

  forward(request: ForwardRequest): ForwardReply {
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
    const fallbacks = takeWasmFallbacks();
    return { result, cacheLength: this.cache.length, ...(fallbacks.length ? { fallbacks } : {}) };
  }

  prepareDnn(parts: DnnParts): void {
    this.dispose();
    const layers = parts.layers.map((p, l) =>
      p instanceof CsrMatrix ? p : new CsrMatrix(p, parts.names[l]),
    );
    this.dnn = { layers, names: parts.names, bias: parts.bias, ymax: parts.ymax };
  }

  runDnn({ input, path }: { input: CsrParts; path: WeightPath }): DnnRunReply {
    if (!this.dnn) throw new Error('CPU backend: prepare a layered network first');
    const images = input instanceof CsrMatrix ? input : new CsrMatrix(input, 'input images');
    // The sparse path's default kernel: WASM SIMD over the live images (JavaScript skip-zeros without SIMD).
    const { categories, layerMs, seconds, layerRepeats, fallback } = runDnnCpu(this.dnn, images, {
      path,
      minLayerMs: DNN_MIN_LAYER_MS,
    });
    const fallbacks = [
      ...(fallback ? [{ kernel: 'live-simd', text: fallback }] : []),
      ...takeWasmFallbacks(),
    ];
    return {
      categories,
      layerMs,
      seconds,
      ...(layerRepeats ? { layerRepeats } : {}),
      ...(fallbacks.length ? { fallbacks } : {}),
    };
  }

  dispose(): void {
    if (this.ownsHeap) releaseResident();
    this.weights = null;
    this.cache = null;
    this.dnn = null;
  }
}
