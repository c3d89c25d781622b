// Row-wise ops of the transformer: layer norm, softmax, embedding lookup, residual add.
// All row-major; statistics accumulated in f64 (JS numbers), stored as f32.

/**
 * y = (x - mean) / sqrt(var + eps) · g + b per row, biased variance (GPT-2 / PyTorch LayerNorm).
 * x: (rows, d), g, b: (d), out: (rows, d) (may alias x).
 */
export function layerNorm(
  x: Float32Array,
  g: Float32Array,
  b: Float32Array,
  rows: number,
  d: number,
  eps: number,
  out: Float32Array = new Float32Array(rows * d),
): Float32Array {
  if (x.length < rows * d || out.length < rows * d || g.length !== d || b.length !== d) {
    throw new Error(
      `layerNorm: shapes disagree (x ${x.length}, out ${out.length}, g ${g.length}, b ${b.length}, rows ${rows}, d ${d})`,
    );
  }
  for (let r = 0; r < rows; r++) {
    const base = r * d;
    let mean = 0;
    for (let i = 0; i < d; i++) mean += x[base + i];
    mean /= d;
    let variance = 0;
    for (let i = 0; i < d; i++) {
      const c = x[base + i] - mean;
      variance += c * c;
    }
    const inv = 1 / Math.sqrt(variance / d + eps);
    for (let i = 0; i < d; i++) out[base + i] = (x[base + i] - mean) * inv * g[i] + b[i];
  }
  return out;
}

/**
 * Numerically stable softmax of `len` values starting at `offset`, in place (max subtracted first).
 * Works on Float32Array or Float64Array scratch rows.
 */
function softmaxInPlace(v: Float32Array | Float64Array, offset = 0, len = v.length - offset): void {
  if (len <= 0) return;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = offset; i < offset + len; i++) if (v[i] > max) max = v[i];
  let sum = 0;
  for (let i = offset; i < offset + len; i++) {
    const e = Math.exp(v[i] - max);
    v[i] = e;
    sum += e;
  }
  const inv = 1 / sum;
  for (let i = offset; i < offset + len; i++) v[i] *= inv;
}

/** Softmax of every row of a (rows, cols) matrix, in place. */
export function softmaxRows(v: Float32Array, rows: number, cols: number): Float32Array {
  for (let r = 0; r < rows; r++) softmaxInPlace(v, r * cols, cols);
  return v;
}

/**
 * x[t] = wte[tokens[t]] + wpe[start + t]. wte: (vocab, d), wpe: (nCtx, d), out: (T, d).
 * Throws on a token id outside [0, vocab) or a position past nCtx.
 */
export function embed(
  tokens: ArrayLike<number>,
  wte: Float32Array,
  wpe: Float32Array,
  d: number,
  start = 0,
  out: Float32Array = new Float32Array(tokens.length * d),
): Float32Array {
  const vocab = wte.length / d;
  const nCtx = wpe.length / d;
  for (let t = 0; t < tokens.length; t++) {
    const id = tokens[t];
    if (!Number.isInteger(id) || id < 0 || id >= vocab) {
      throw new Error(`embed: token ${t} is ${id}, outside the vocabulary [0, ${vocab})`);
    }
    const pos = start + t;
    if (pos >= nCtx) throw new Error(`embed: position ${pos} is past the context length ${nCtx}`);
    const te = id * d;
    const pe = pos * d;
    const o = t * d;
    for (let i = 0; i < d; i++) out[o + i] = wte[te + i] + wpe[pe + i];
  }
  return out;
}

/** x += y, element-wise. */
export function addInPlace(x: Float32Array, y: Float32Array): Float32Array {
  if (x.length !== y.length) throw new Error(`addInPlace: lengths ${x.length} and ${y.length} differ`);
  for (let i = 0; i < x.length; i++) x[i] += y[i];
  return x;
}
