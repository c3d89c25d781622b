// AdamW (Loshchilov & Hutter): Adam moments with bias correction, weight decay decoupled from the
// gradient (p ← p − lr·λ·p, not added to g). Decay applies to matrices and embeddings only; biases and
// layer-norm gains/biases are not decayed (GPT-2 / nanoGPT practice).
//   m ← β1 m + (1−β1) g;  v ← β2 v + (1−β2) g²;  p ← p − lr·( m̂/(√v̂ + ε) + λ·p )

import type { NamedParam } from './params';

export interface AdamWOptions {
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
}

export class AdamW {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  private readonly m: Float32Array[];
  private readonly v: Float32Array[];
  private readonly decay: boolean[];
  /** Steps taken (the bias correction's t). */
  t = 0;

  constructor(
    private readonly params: readonly NamedParam[],
    options: AdamWOptions = {},
  ) {
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.95;
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0.1;
    this.m = params.map((p) => new Float32Array(p.data.length));
    this.v = params.map((p) => new Float32Array(p.data.length));
    this.decay = params.map((p) => p.kind === 'matrix' || p.kind === 'embedding');
  }

  /** One update with learning rate `lr`; grads[i] matches params[i]. */
  step(grads: readonly Float32Array[], lr: number): void {
    if (grads.length !== this.params.length) {
      throw new Error(`AdamW: ${grads.length} gradients for ${this.params.length} parameters`);
    }
    this.t++;
    const { beta1: b1, beta2: b2, eps } = this;
    const c1 = 1 / (1 - b1 ** this.t);
    const c2 = 1 / (1 - b2 ** this.t);
    for (let i = 0; i < this.params.length; i++) {
      const p = this.params[i].data;
      const g = grads[i];
      const m = this.m[i];
      const v = this.v[i];
      const shrink = this.decay[i] ? 1 - lr * this.weightDecay : 1;
      for (let j = 0; j < p.length; j++) {
        const gj = g[j];
        const mj = b1 * m[j] + (1 - b1) * gj;
        const vj = b2 * v[j] + (1 - b2) * gj * gj;
        m[j] = mj;
        v[j] = vj;
        p[j] = p[j] * shrink - (lr * (mj * c1)) / (Math.sqrt(vj * c2) + eps);
      }
    }
  }
}

/** Scale all gradients so their global L2 norm is at most maxNorm; returns the norm before clipping. */
export function clipGradNorm(grads: readonly Float32Array[], maxNorm: number): number {
  let sq = 0;
  for (const g of grads) for (let j = 0; j < g.length; j++) sq += g[j] * g[j];
  const norm = Math.sqrt(sq);
  if (norm > maxNorm && norm > 0) {
    const s = maxNorm / norm;
    for (const g of grads) for (let j = 0; j < g.length; j++) g[j] *= s;
  }
  return norm;
}
