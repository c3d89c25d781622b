// GELU (tanh approximation, GPT-2's "gelu_new") applied element-wise, and its derivative.
//   gelu(x) = ½x(1 + tanh u),  u = c(x + 0.044715x³),  c = √(2/π)
//   gelu'(x) = ½(1 + tanh u) + ½x(1 − tanh²u)·c(1 + 3·0.044715x²)
// The forward keeps tanh u so the backward needs no second tanh (a third of an MLP step's GELU time).

import type { Floats } from './floats';

const GELU_C = Math.sqrt(2 / Math.PI);
const GELU_A = 0.044715;

/**
 * out[i] = gelu(pre[i]) with the same expression as src/math/activations.ts' gelu (so the result is
 * bit-identical to the CPU forward's); tanhOut[i] = tanh u when given, for the backward.
 */
export function geluForward(pre: Floats, out: Floats, tanhOut?: Floats): Floats {
  for (let i = 0; i < pre.length; i++) {
    const x = pre[i];
    const t = Math.tanh(GELU_C * (x + GELU_A * x * x * x));
    out[i] = 0.5 * x * (1 + t);
    if (tanhOut) tanhOut[i] = t;
  }
  return out;
}

export function geluDerivative(x: number, t = Math.tanh(GELU_C * (x + GELU_A * x * x * x))): number {
  return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * GELU_C * (1 + 3 * GELU_A * x * x);
}

/** dpre = dout · gelu'(pre), element-wise (dpre may alias dout); `tanhU` from geluForward if kept. */
export function geluBackward(dout: Floats, pre: Floats, dpre: Floats, tanhU?: Floats): Floats {
  if (tanhU) for (let i = 0; i < pre.length; i++) dpre[i] = dout[i] * geluDerivative(pre[i], tanhU[i]);
  else for (let i = 0; i < pre.length; i++) dpre[i] = dout[i] * geluDerivative(pre[i]);
  return dpre;
}
