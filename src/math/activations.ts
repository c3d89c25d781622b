// Element-wise activations, the CPU reference of the kernels' fused epilogues.

import type { ActivationName } from '../contracts';

export type { ActivationName } from '../contracts';

const GELU_C = Math.sqrt(2 / Math.PI);

/** GELU, tanh approximation (GPT-2). */
export function gelu(x: number): number {
  return 0.5 * x * (1 + Math.tanh(GELU_C * (x + 0.044715 * x * x * x)));
}

export function reluClamp(x: number, clampMax: number): number {
  return Math.min(Math.max(x, 0), clampMax);
}

/** Apply an activation in place. */
export function applyActivation(y: Float32Array, activation: ActivationName, clampMax = 32): Float32Array {
  if (activation === 'gelu') for (let i = 0; i < y.length; i++) y[i] = gelu(y[i]);
  else if (activation === 'relu-clamp') for (let i = 0; i < y.length; i++) y[i] = reluClamp(y[i], clampMax);
  return y;
}
