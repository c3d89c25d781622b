// Array type shared by the training ops. Training runs in Float32Array (the checkpoint's precision and the
// CPU forward's); the gradient checks run the same ops in Float64Array so that finite differences are
// exact enough to compare against (f32 rounding would swamp a 1e-4 step).

export type Floats = Float32Array | Float64Array;

/** out (cols, rows) = transpose of a (rows, cols), both row-major. */
export function transposeInto<T extends Floats>(a: Floats, rows: number, cols: number, out: T): T {
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = a[base + c];
  }
  return out;
}
