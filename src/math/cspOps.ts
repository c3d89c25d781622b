// Row-wise ops of circuit_sparsity models (CPU reference of shaders/csp_elementwise_rms_norm.wgsl, csp_elementwise_activation.wgsl,
// abs_top_k.wgsl): RMSNorm, exact (erf) GELU, ReLU, AbsTopK. All row-major.

/**
 * erf(x), Abramowitz & Stegun 7.1.26: |error| < 1.5e-7, at float32 resolution. WGSL has no erf; the
 * GPU kernel evaluates the same formula, so both backends share one approximation.
 */
function erf(x: number): number {
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const poly =
    t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const y = 1 - poly * Math.exp(-a * a);
  return x < 0 ? -y : y;
}

/** GELU with the exact erf form (torch.nn.GELU()): x · Φ(x). */
function geluErf(x: number): number {
  return 0.5 * x * (1 + erf(x * Math.SQRT1_2));
}

export type CspActivation = 'gelu-erf' | 'relu';

/** Apply an activation in place to the first `count` values. */
export function applyCspActivation(
  y: Float32Array,
  activation: CspActivation,
  count = y.length,
): Float32Array {
  if (activation === 'gelu-erf') for (let i = 0; i < count; i++) y[i] = geluErf(y[i]);
  else for (let i = 0; i < count; i++) if (!(y[i] > 0)) y[i] = 0;
  return y;
}

/**
 * y = x / sqrt(mean(x²) + eps) · g per row (torch.nn.RMSNorm). x: (rows, d), g: (d), out may alias x.
 */
export function rmsNorm(
  x: Float32Array,
  g: Float32Array,
  rows: number,
  d: number,
  eps: number,
  out: Float32Array = new Float32Array(rows * d),
): Float32Array {
  if (x.length < rows * d || out.length < rows * d || g.length !== d)
    throw new Error(
      `rmsNorm: shapes disagree (x ${x.length}, out ${out.length}, g ${g.length}, rows ${rows}, d ${d})`,
    );
  for (let r = 0; r < rows; r++) {
    const base = r * d;
    let sq = 0;
    for (let i = 0; i < d; i++) sq += x[base + i] * x[base + i];
    const inv = 1 / Math.sqrt(sq / d + eps);
    for (let i = 0; i < d; i++) out[base + i] = x[base + i] * inv * g[i];
  }
  return out;
}

/**
 * AbsTopK in place: in each of `rows` rows, on the `width` values starting at column `offset` of a row of
 * `stride` values, keep the k largest |x| and zero the rest. Ties at the k-th magnitude are kept lowest
 * index first (torch.topk breaks them arbitrarily; this is deterministic and matches the GPU kernel).
 * k ≤ 0 zeroes the segment; k ≥ width keeps it.
 */
export function absTopK(
  x: Float32Array,
  rows: number,
  width: number,
  k: number,
  stride = width,
  offset = 0,
): Float32Array {
  if (k >= width) return x;
  const mags = new Float32Array(width);
  for (let r = 0; r < rows; r++) {
    const base = r * stride + offset;
    if (k <= 0) {
      x.fill(0, base, base + width);
      continue;
    }
    for (let i = 0; i < width; i++) mags[i] = Math.abs(x[base + i]);
    const sorted = mags.slice().sort(); // ascending, numeric
    const threshold = sorted[width - k];
    let above = 0;
    for (let i = 0; i < width; i++) if (mags[i] > threshold) above++;
    let tiesLeft = k - above;
    for (let i = 0; i < width; i++) {
      const m = mags[i];
      if (m > threshold) continue;
      if (m === threshold && tiesLeft > 0) {
        tiesLeft--;
        continue;
      }
      x[base + i] = 0;
    }
  }
  return x;
}
