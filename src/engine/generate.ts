// The generate loop: one prefill of the prompt, then one cached decoding step per new token, streamed.

import type { ForwardResult, LayerTiming, WeightPath } from '../contracts';
import { Rng } from '../math/rng';
import { type SamplingOptions, sampleToken } from '../math/sampling';
import type { Backend } from './backend';

export interface GenerateOptions extends Omit<SamplingOptions, 'rng'> {
  path: WeightPath;
  maxNewTokens: number;
  seed?: number;
  /** Stop early when this token is produced (e.g. end of text). */
  stopToken?: number;
  nCtx: number;
}

export interface GeneratedToken {
  id: number;
  /** The forward pass that produced it (prefill for the first token, a decode step after). */
  timings: LayerTiming[];
  step: 'prefill' | 'decode';
}

export async function* generate(
  backend: Backend,
  prompt: number[],
  options: GenerateOptions,
): AsyncGenerator<GeneratedToken, void, void> {
  if (prompt.length === 0) throw new Error('generate: the prompt is empty');
  const rng = new Rng(options.seed ?? 1);
  const sampling = { topK: options.topK, temperature: options.temperature, rng };
  let result: ForwardResult = await backend.forward(prompt, {
    path: options.path,
    activations: false,
    logits: 'last',
  });
  let step: GeneratedToken['step'] = 'prefill';
  let length = prompt.length;
  for (let i = 0; i < options.maxNewTokens; i++) {
    const id = sampleToken(result.logits, sampling);
    yield { id, timings: result.timings, step };
    if (id === options.stopToken || length >= options.nCtx || i + 1 === options.maxNewTokens) return;
    result = await backend.forward([id], {
      path: options.path,
      append: true,
      activations: false,
      logits: 'last',
    });
    length++;
    step = 'decode';
  }
}
