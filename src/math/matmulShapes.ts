// Argument checks shared by the CPU kernels (dense: matmulRef, matmulJs, matmulWasm; CSR: spmmRef, spmmJs,
// spmmWasm), so they all reject the same malformed calls with the same messages.
// x: (B, K) row-major, w: (N, K) out×in, bias: (N) or null, out: (B, N); arrays may be longer than needed.

export function checkMatmulShapes(
  x: Float32Array,
  w: Float32Array,
  bias: Float32Array | null,
  batch: number,
  n: number,
  k: number,
): void {
  for (const [name, v] of [
    ['batch', batch],
    ['n', n],
    ['k', k],
  ] as const) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`matmul: ${name} must be a non-negative integer`);
  }
  if (x.length < batch * k) throw new RangeError(`matmul: x has ${x.length} values, needs ${batch}×${k}`);
  if (w.length < n * k) throw new RangeError(`matmul: w has ${w.length} values, needs ${n}×${k}`);
  if (bias && bias.length < n) throw new RangeError(`matmul: bias has ${bias.length} values, needs ${n}`);
}

/** The output array: `out` when given (checked), else a new one. */
export function matmulOutput(batch: number, n: number, out?: Float32Array): Float32Array {
  const y = out ?? new Float32Array(batch * n);
  if (y.length < batch * n) throw new RangeError(`matmul: out has ${y.length} values, needs ${batch}×${n}`);
  return y;
}

/** SpMM arguments: x (B, K) exactly, bias (N) exactly, for W (N, K) as CSR. */
export function checkSpmmShapes(
  x: Float32Array,
  csr: { rows: number; cols: number },
  bias: Float32Array | null,
  batch: number,
): void {
  if (!Number.isInteger(batch) || batch < 0) throw new Error(`spmm: batch ${batch} is not a count`);
  if (x.length !== batch * csr.cols) {
    throw new Error(`spmm: x has ${x.length} values, expected batch × K = ${batch}×${csr.cols}`);
  }
  if (bias && bias.length !== csr.rows) {
    throw new Error(`spmm: bias has ${bias.length} values, expected N = ${csr.rows}`);
  }
}
