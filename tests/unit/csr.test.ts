import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsrError, CsrMatrix, type CsrParts } from '../../src/math/csr';

const u32 = (a: number[]) => new Uint32Array(a);
const f32 = (a: number[]) => new Float32Array(a);

/** A valid 3×4 matrix: [[1 0 2 0] [0 0 0 0] [0 3 0 4]]. */
function parts(): CsrParts {
  return {
    rows: 3,
    cols: 4,
    rowPtr: u32([0, 2, 2, 4]),
    colIdx: u32([0, 2, 1, 3]),
    values: f32([1, 2, 3, 4]),
  };
}

/** Dense (rows, cols) matrices with about `density` nonzeros, small integer values (sums are exact). */
const denseMatrix = fc
  .record({ rows: fc.integer({ min: 0, max: 12 }), cols: fc.integer({ min: 0, max: 12 }) })
  .chain(({ rows, cols }) =>
    fc
      .array(fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: -9, max: 9 })), {
        minLength: rows * cols,
        maxLength: rows * cols,
      })
      .map((v) => ({ rows, cols, dense: new Float32Array(v) })),
  );

function transposeDense(d: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(d.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = d[r * cols + c];
  return t;
}

describe('CsrMatrix validation', () => {
  it('accepts a well-formed matrix and reports its shape', () => {
    const m = new CsrMatrix(parts());
    expect([m.rows, m.cols, m.nnz, m.rowLength(1), m.rowLength(2)]).toEqual([3, 4, 4, 0, 2]);
    expect(m.density).toBeCloseTo(4 / 12);
  });

  it.each([
    [
      'rowPtr of the wrong length',
      { rowPtr: u32([0, 2, 4]) },
      /rowPtr has 3 entries, expected rows \+ 1 = 4/,
    ],
    ['rowPtr not starting at 0', { rowPtr: u32([1, 2, 2, 4]) }, /rowPtr\[0\] is 1/],
    ['decreasing rowPtr', { rowPtr: u32([0, 2, 1, 4]) }, /rowPtr decreases at row 1/],
    ['column out of range', { colIdx: u32([0, 2, 1, 4]) }, /row 2 has column 4, but there are 4 columns/],
    ['unsorted columns', { colIdx: u32([2, 0, 1, 3]) }, /row 0 columns are not strictly increasing/],
    ['duplicate column', { colIdx: u32([0, 0, 1, 3]) }, /not strictly increasing/],
    ['colIdx length mismatch', { colIdx: u32([0, 2, 1]) }, /colIdx has 3 and values 4/],
    ['values length mismatch', { values: f32([1, 2, 3]) }, /colIdx has 4 and values 3/],
    ['negative shape', { rows: -1 }, /not a pair of non-negative integers/],
  ])('rejects %s, naming the problem', (_name, patch, message) => {
    const bad = { ...parts(), ...patch };
    expect(() => new CsrMatrix(bad, 'W')).toThrow(CsrError);
    expect(() => new CsrMatrix(bad, 'W')).toThrow(message);
    expect(() => new CsrMatrix(bad, 'W')).toThrow(/^W: /);
  });

  it('rejects a dense array of the wrong size and triplets outside the shape', () => {
    expect(() => CsrMatrix.fromDense(new Float32Array(5), 2, 3)).toThrow(/5 values, expected 2×3/);
    expect(() => CsrMatrix.fromTriplets(2, 2, u32([0, 2]), u32([0, 0]), f32([1, 1]))).toThrow(
      /entry \(2, 0\) is outside 2×2/,
    );
  });

  it('handles empty shapes: 0×0, 0×5, 5×0 and an all-zero matrix', () => {
    for (const [r, c] of [
      [0, 0],
      [0, 5],
      [5, 0],
      [3, 4],
    ]) {
      const m = CsrMatrix.fromDense(new Float32Array(r * c), r, c);
      expect(m.nnz).toBe(0);
      expect(m.rowPtr.length).toBe(r + 1);
      expect(m.transpose().rows).toBe(c);
    }
  });
});

describe('CsrMatrix conversions (property tests)', () => {
  it('fromDense → toDense is the identity and keeps exactly the nonzeros', () => {
    fc.assert(
      fc.property(denseMatrix, ({ rows, cols, dense }) => {
        const m = CsrMatrix.fromDense(dense, rows, cols);
        expect(Array.from(m.toDense())).toEqual(Array.from(dense));
        expect(m.nnz).toBe(dense.filter((v) => v !== 0).length);
        expect(Array.from(m.values).every((v) => v !== 0)).toBe(true);
      }),
    );
  });

  it('transpose matches the dense transpose, and twice is the identity', () => {
    fc.assert(
      fc.property(denseMatrix, ({ rows, cols, dense }) => {
        const m = CsrMatrix.fromDense(dense, rows, cols);
        const t = m.transpose();
        expect([t.rows, t.cols, t.nnz]).toEqual([cols, rows, m.nnz]);
        expect(Array.from(t.toDense())).toEqual(Array.from(transposeDense(dense, rows, cols)));
        const tt = t.transpose();
        expect(Array.from(tt.rowPtr)).toEqual(Array.from(m.rowPtr));
        expect(Array.from(tt.colIdx)).toEqual(Array.from(m.colIdx));
        expect(Array.from(tt.values)).toEqual(Array.from(m.values));
      }),
    );
  });

  it('fromTriplets in any order, with duplicates, sums them into the dense matrix', () => {
    const triplets = fc
      .record({ rows: fc.integer({ min: 1, max: 10 }), cols: fc.integer({ min: 1, max: 10 }) })
      .chain(({ rows, cols }) =>
        fc
          .array(
            fc.tuple(
              fc.integer({ min: 0, max: rows - 1 }),
              fc.integer({ min: 0, max: cols - 1 }),
              fc.integer({ min: -9, max: 9 }).filter((v) => v !== 0),
            ),
            { maxLength: 3 * rows * cols },
          )
          .map((entries) => ({ rows, cols, entries })),
      );
    fc.assert(
      fc.property(triplets, ({ rows, cols, entries }) => {
        const expected = new Float32Array(rows * cols);
        for (const [r, c, v] of entries) expected[r * cols + c] += v;
        const m = CsrMatrix.fromTriplets(
          rows,
          cols,
          u32(entries.map((e) => e[0])),
          u32(entries.map((e) => e[1])),
          f32(entries.map((e) => e[2])),
        );
        expect(Array.from(m.toDense())).toEqual(Array.from(expected));
        const distinct = new Set(entries.map(([r, c]) => r * cols + c)).size;
        expect(m.nnz).toBe(distinct);
      }),
    );
  });

  it('fromTriplets sums a duplicate pair and sorts a row', () => {
    const m = CsrMatrix.fromTriplets(2, 3, u32([1, 0, 1, 1]), u32([2, 1, 0, 2]), f32([1.5, 4, 7, 2]));
    expect(Array.from(m.rowPtr)).toEqual([0, 1, 3]);
    expect(Array.from(m.colIdx)).toEqual([1, 0, 2]);
    expect(Array.from(m.values)).toEqual([4, 7, 3.5]);
  });
});
