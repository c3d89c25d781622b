// Linear layer forward and backward, the project contract: y (R×N) = x (R×K) · Wᵀ + b, W (N×K) out×in.
//   dx (R×K) = dy (R×N) · W          dW (N×K) = dyᵀ · x          db (N) = Σ_r dy
// The Float32Array path runs both products through matmulFast (the CPU backend's kernel: WebAssembly
// SIMD where available, else register-tiled JS) on transposed operands: dx = dy · (Wᵀ)ᵀ and
// dW = dyᵀ · (xᵀ)ᵀ. Transposing costs R·(N+K) against the product's R·N·K, and it makes the backward as
// fast as the forward, which uses matmulFast too, like forwardCpu. Float64Array (the gradient checks)
// takes plain f64 loops.

import { matmulFast } from '../math/matmul';
import { type Floats, transposeInto } from './floats';

/** Scratch for the transposes, grown on demand and reused across calls (one per training model). */
export class LinearScratch {
  private a = new Float32Array(0);
  private b = new Float32Array(0);
  first(n: number): Float32Array {
    if (this.a.length < n) this.a = new Float32Array(n);
    return this.a.subarray(0, n);
  }
  second(n: number): Float32Array {
    if (this.b.length < n) this.b = new Float32Array(n);
    return this.b.subarray(0, n);
  }
}

/** y = x · Wᵀ + b. x: (R, K), w: (N, K), b: (N) or null, out: (R, N). */
export function linearForward(
  x: Floats,
  w: Floats,
  b: Floats | null,
  rows: number,
  n: number,
  k: number,
  out: Floats,
): Floats {
  const b32 = b === null || b instanceof Float32Array ? b : undefined;
  if (
    x instanceof Float32Array &&
    w instanceof Float32Array &&
    out instanceof Float32Array &&
    b32 !== undefined
  ) {
    return matmulFast(x, w, b32, rows, n, k, 'none', undefined, out);
  }
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < n; j++) {
      let sum = b ? b[j] : 0;
      for (let i = 0; i < k; i++) sum += x[r * k + i] * w[j * k + i];
      out[r * n + j] = sum;
    }
  }
  return out;
}

export interface LinearGrads {
  /** (R, K), overwritten; null when the input needs no gradient (never the case inside GPT-2). */
  dx: Floats | null;
  /** (N, K), overwritten. */
  dw: Floats;
  /** (N), overwritten; null for a bias-free layer (the tied unembedding). */
  db: Floats | null;
}

/** Gradients of y = x · Wᵀ + b given dy (R, N). Overwrites grads.dx, grads.dw, grads.db. */
export function linearBackward(
  dy: Floats,
  x: Floats,
  w: Floats,
  rows: number,
  n: number,
  k: number,
  grads: LinearGrads,
  scratch: LinearScratch = new LinearScratch(),
): void {
  const { dx, dw, db } = grads;
  if (db) {
    db.fill(0);
    for (let r = 0; r < rows; r++) for (let j = 0; j < n; j++) db[j] += dy[r * n + j];
  }
  const fast =
    dy instanceof Float32Array &&
    x instanceof Float32Array &&
    w instanceof Float32Array &&
    dw instanceof Float32Array &&
    (dx === null || dx instanceof Float32Array);
  if (fast) {
    if (dx) {
      const wT = transposeInto(w, n, k, scratch.first(n * k)); // (K, N)
      matmulFast(dy, wT, null, rows, k, n, 'none', undefined, dx);
    }
    const dyT = transposeInto(dy, rows, n, scratch.first(rows * n)); // (N, R)
    const xT = transposeInto(x, rows, k, scratch.second(rows * k)); // (K, R)
    matmulFast(dyT, xT, null, n, k, rows, 'none', undefined, dw);
    return;
  }
  if (dx) {
    for (let r = 0; r < rows; r++) {
      for (let i = 0; i < k; i++) {
        let sum = 0;
        for (let j = 0; j < n; j++) sum += dy[r * n + j] * w[j * k + i];
        dx[r * k + i] = sum;
      }
    }
  }
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < k; i++) {
      let sum = 0;
      for (let r = 0; r < rows; r++) sum += dy[r * n + j] * x[r * k + i];
      dw[j * k + i] = sum;
    }
  }
}
