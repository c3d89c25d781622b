// Compressed sparse rows over a weight matrix's output rows.
// W: (N, K) out×in; row n holds the input indices colIdx[rowPtr[n]..rowPtr[n+1]) and their values.
import { checkDense } from '../params/limits';

export class CsrError extends Error {
  override name = 'CsrError';
}

export interface CsrParts {
  rows: number; // N: output neurons
  cols: number; // K: input neurons
  rowPtr: Uint32Array; // N + 1, monotone, rowPtr[0] = 0, rowPtr[N] = nnz
  colIdx: Uint32Array; // nnz, each < K, sorted within a row
  values: Float32Array; // nnz
}

export class CsrMatrix implements CsrParts {
  readonly rows: number;
  readonly cols: number;
  readonly rowPtr: Uint32Array;
  readonly colIdx: Uint32Array;
  readonly values: Float32Array;

  /** Validates everything a kernel relies on, so no kernel ever sees a malformed matrix. */
  constructor(parts: CsrParts, label = 'CSR matrix') {
    const { rows, cols, rowPtr, colIdx, values } = parts;
    if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(cols) || cols < 0) {
      throw new CsrError(`${label}: shape ${rows}×${cols} is not a pair of non-negative integers`);
    }
    if (rowPtr.length !== rows + 1) {
      throw new CsrError(`${label}: rowPtr has ${rowPtr.length} entries, expected rows + 1 = ${rows + 1}`);
    }
    if (rowPtr[0] !== 0) throw new CsrError(`${label}: rowPtr[0] is ${rowPtr[0]}, expected 0`);
    const nnz = rowPtr[rows];
    if (colIdx.length !== nnz || values.length !== nnz) {
      throw new CsrError(
        `${label}: rowPtr[${rows}] = ${nnz} but colIdx has ${colIdx.length} and values ${values.length} entries`,
      );
    }
    for (let r = 0; r < rows; r++) {
      const start = rowPtr[r];
      const end = rowPtr[r + 1];
      if (end < start) throw new CsrError(`${label}: rowPtr decreases at row ${r} (${start} > ${end})`);
      for (let i = start; i < end; i++) {
        const c = colIdx[i];
        if (c >= cols)
          throw new CsrError(`${label}: row ${r} has column ${c}, but there are ${cols} columns`);
        if (i > start && colIdx[i - 1] >= c) {
          throw new CsrError(
            `${label}: row ${r} columns are not strictly increasing (${colIdx[i - 1]}, ${c})`,
          );
        }
      }
    }
    this.rows = rows;
    this.cols = cols;
    this.rowPtr = rowPtr;
    this.colIdx = colIdx;
    this.values = values;
  }

  get nnz(): number {
    return this.rowPtr[this.rows];
  }

  get density(): number {
    return this.rows * this.cols === 0 ? 0 : this.nnz / (this.rows * this.cols);
  }

  /** Nonzeros of row r. */
  rowLength(r: number): number {
    return this.rowPtr[r + 1] - this.rowPtr[r];
  }

  /** Keep every nonzero (and only nonzeros) of a dense (rows, cols) row-major matrix. */
  static fromDense(dense: Float32Array, rows: number, cols: number): CsrMatrix {
    if (dense.length !== rows * cols) {
      throw new CsrError(`dense matrix has ${dense.length} values, expected ${rows}×${cols}`);
    }
    const rowPtr = new Uint32Array(rows + 1);
    let nnz = 0;
    for (let i = 0; i < dense.length; i++) if (dense[i] !== 0) nnz++;
    const colIdx = new Uint32Array(nnz);
    const values = new Float32Array(nnz);
    let k = 0;
    for (let r = 0; r < rows; r++) {
      const base = r * cols;
      for (let c = 0; c < cols; c++) {
        const v = dense[base + c];
        if (v !== 0) {
          colIdx[k] = c;
          values[k++] = v;
        }
      }
      rowPtr[r + 1] = k;
    }
    return new CsrMatrix({ rows, cols, rowPtr, colIdx, values });
  }

  /**
   * Build from unsorted (row, col, value) triplets; duplicates are summed (Matrix Market semantics).
   * Entries that sum to exactly zero are kept as explicit zeros only if `keepZeros`.
   */
  static fromTriplets(
    rows: number,
    cols: number,
    rowIdx: Uint32Array,
    colIdxIn: Uint32Array,
    valuesIn: Float32Array,
    label = 'CSR matrix',
  ): CsrMatrix {
    const n = rowIdx.length;
    for (let i = 0; i < n; i++) {
      if (rowIdx[i] >= rows || colIdxIn[i] >= cols) {
        throw new CsrError(`${label}: entry (${rowIdx[i]}, ${colIdxIn[i]}) is outside ${rows}×${cols}`);
      }
    }
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => rowIdx[a] - rowIdx[b] || colIdxIn[a] - colIdxIn[b]);
    const rowPtr = new Uint32Array(rows + 1);
    const colIdx = new Uint32Array(n);
    const values = new Float32Array(n);
    let k = 0;
    for (let j = 0; j < n; j++) {
      const i = order[j];
      const r = rowIdx[i];
      const c = colIdxIn[i];
      if (k > 0 && j > 0 && rowIdx[order[j - 1]] === r && colIdx[k - 1] === c) {
        values[k - 1] += valuesIn[i];
      } else {
        colIdx[k] = c;
        values[k] = valuesIn[i];
        rowPtr[r + 1]++;
        k++;
      }
    }
    for (let r = 0; r < rows; r++) rowPtr[r + 1] += rowPtr[r];
    return new CsrMatrix(
      { rows, cols, rowPtr, colIdx: colIdx.slice(0, k), values: values.slice(0, k) },
      label,
    );
  }

  /** Dense (rows, cols) row-major copy. */
  toDense(): Float32Array {
    // Every dense copy (the dense paths, X, the DNN's dense twin) is bounded by the shared limit.
    checkDense('dense copy', this.rows, this.cols);
    const out = new Float32Array(this.rows * this.cols);
    for (let r = 0; r < this.rows; r++) {
      for (let i = this.rowPtr[r]; i < this.rowPtr[r + 1]; i++)
        out[r * this.cols + this.colIdx[i]] = this.values[i];
    }
    return out;
  }

  /** Wᵀ as CSR: (cols, rows). */
  transpose(): CsrMatrix {
    const counts = new Uint32Array(this.cols + 1);
    for (let i = 0; i < this.nnz; i++) counts[this.colIdx[i] + 1]++;
    for (let c = 0; c < this.cols; c++) counts[c + 1] += counts[c];
    const rowPtr = counts.slice();
    const next = counts.slice(0, this.cols);
    const colIdx = new Uint32Array(this.nnz);
    const values = new Float32Array(this.nnz);
    for (let r = 0; r < this.rows; r++) {
      for (let i = this.rowPtr[r]; i < this.rowPtr[r + 1]; i++) {
        const dst = next[this.colIdx[i]]++;
        colIdx[dst] = r;
        values[dst] = this.values[i];
      }
    }
    return new CsrMatrix({ rows: this.cols, cols: this.rows, rowPtr, colIdx, values });
  }
}
