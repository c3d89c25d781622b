import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MatrixMarketError, type MatrixMarketField, parseMatrixMarket } from '../../src/formats/matrixMarket';
import { csrFromTriplets, matrixMarketToCsr, writeMatrixMarket } from '../../src/formats/matrixMarketCsr';
import { CsrMatrix } from '../../src/math/csr';

// Real files live beside the repository: <repo>/../shared/data (CI clones shared/ there too).
const REPO = fileURLToPath(new URL('../..', import.meta.url));
function sharedFile(rel: string): string {
  const path = resolve(REPO, '..', 'shared', 'data', rel);
  if (!existsSync(path))
    throw new Error(`test data missing: looked for ${path} (<repo>/../shared/data/${rel})`);
  return readFileSync(path, 'utf8');
}

/** A random sparse matrix as triplets (duplicates possible) with values exact in f32. */
const triplets = (field: MatrixMarketField) =>
  fc
    .record({ rows: fc.integer({ min: 1, max: 12 }), cols: fc.integer({ min: 1, max: 12 }) })
    .chain(({ rows, cols }) =>
      fc.record({
        rows: fc.constant(rows),
        cols: fc.constant(cols),
        entries: fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: rows - 1 }),
            fc.integer({ min: 0, max: cols - 1 }),
            field === 'real'
              ? fc.float({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 })
              : fc.integer({ min: -1000, max: 1000 }),
          ),
          { maxLength: 40 },
        ),
      }),
    );

/** Duplicates summed; a pattern matrix has 1 at every position that occurs (its file cannot say 2). */
function toCsr(rows: number, cols: number, entries: [number, number, number][], field: MatrixMarketField) {
  const csr = CsrMatrix.fromTriplets(
    rows,
    cols,
    Uint32Array.from(entries, (e) => e[0]),
    Uint32Array.from(entries, (e) => e[1]),
    Float32Array.from(entries, (e) => e[2]),
  );
  return field === 'pattern' ? new CsrMatrix({ ...csr, values: csr.values.map(() => 1) }) : csr;
}

function expectSameCsr(a: CsrMatrix, b: CsrMatrix): void {
  expect([a.rows, a.cols]).toEqual([b.rows, b.cols]);
  expect(Array.from(a.rowPtr)).toEqual(Array.from(b.rowPtr));
  expect(Array.from(a.colIdx)).toEqual(Array.from(b.colIdx));
  expect(Array.from(a.values)).toEqual(Array.from(b.values));
}

/** Legal noise a reader must tolerate: comments and blank lines after the header, CRLF, padding. */
function addNoise(text: string, seed: number): string {
  const lines = text.split('\n');
  const out = [lines[0]];
  for (let i = 1; i < lines.length; i++) {
    if ((seed + i) % 3 === 0) out.push('% a comment line', '');
    if ((seed + i) % 5 === 0) out.push('   \t');
    out.push((seed + i) % 2 === 0 ? `  ${lines[i].replaceAll(' ', ' \t ')}  ` : lines[i]);
  }
  return out.join(seed % 2 === 0 ? '\r\n' : '\n');
}

describe('Matrix Market round trips (write → parse → CSR)', () => {
  for (const field of ['real', 'integer', 'pattern'] as const) {
    it(`${field} general, with comments, blank lines, CRLF and padding`, () => {
      fc.assert(
        fc.property(triplets(field), fc.nat(100), ({ rows, cols, entries }, seed) => {
          const csr = toCsr(rows, cols, entries, field);
          const text = addNoise(writeMatrixMarket(csr, { field, comments: ['round trip'] }), seed);
          const mm = parseMatrixMarket(text, 'rt.mtx');
          expect([mm.rows, mm.cols, mm.field, mm.symmetry]).toEqual([rows, cols, field, 'general']);
          expect(mm.rowIdx.length).toBe(csr.nnz);
          expectSameCsr(matrixMarketToCsr(mm), csr);
          expectSameCsr(matrixMarketToCsr(mm, { transpose: true }), csr.transpose());
        }),
        { numRuns: 150 },
      );
    });
  }

  it('symmetric: one triangle written, both mirrored back, the diagonal once', () => {
    fc.assert(
      fc.property(triplets('real'), ({ rows, entries }) => {
        const n = rows;
        const lower = entries
          .filter(([r, c]) => r < n && c < n)
          .map(([r, c, v]) => [Math.max(r, c), Math.min(r, c), v]);
        const full: [number, number, number][] = [];
        for (const [r, c, v] of lower) {
          full.push([r, c, v]);
          if (r !== c) full.push([c, r, v]);
        }
        const sym = toCsr(n, n, full as [number, number, number][], 'real');
        const text = writeMatrixMarket(sym, { symmetry: 'symmetric' });
        const mm = parseMatrixMarket(text, 'sym.mtx');
        expect(mm.symmetry).toBe('symmetric');
        expectSameCsr(matrixMarketToCsr(mm), sym);
      }),
      { numRuns: 150 },
    );
  });

  it('csrFromTriplets (counting sort) equals CsrMatrix.fromTriplets, duplicates summed', () => {
    fc.assert(
      fc.property(triplets('integer'), ({ rows, cols, entries }) => {
        const r = Uint32Array.from(entries, (e) => e[0]);
        const c = Uint32Array.from(entries, (e) => e[1]);
        const v = Float32Array.from(entries, (e) => e[2]);
        expectSameCsr(csrFromTriplets(rows, cols, r, c, v, 't'), CsrMatrix.fromTriplets(rows, cols, r, c, v));
      }),
      { numRuns: 200 },
    );
  });

  it('values: the decimal fast path gives exactly what Number() gives, in every notation', () => {
    fc.assert(
      fc.property(
        fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e30, max: 1e30 }),
        fc.nat(20),
        (x, digits) => {
          for (const token of [
            String(x),
            x.toFixed(digits),
            x.toExponential(digits),
            x.toPrecision(digits + 1),
          ]) {
            const mm = parseMatrixMarket(
              `%%MatrixMarket matrix coordinate real general\n1 1 1\n1 1 ${token}\n`,
              'v.mtx',
            );
            expect(mm.values[0], token).toBe(Math.fround(Number(token)));
          }
        },
      ),
      { numRuns: 300 },
    );
    const forms = ['.0625', '-.5', '+3', '1.', '0.0625', '1e-3', '1E+2', '-0', '00012.50'];
    const text = `%%MatrixMarket matrix coordinate real general\n1 ${forms.length} ${forms.length}\n${forms
      .map((f, i) => `1 ${i + 1} ${f}`)
      .join('\n')}\n`;
    expect(Array.from(parseMatrixMarket(text, 'forms.mtx').values)).toEqual(
      forms.map((f) => Math.fround(Number(f))),
    );
  });
});

describe('Matrix Market semantics', () => {
  it('sums duplicates, mirrors symmetric entries (diagonal once), gives pattern entries the value 1', () => {
    const dup = '%%MatrixMarket matrix coordinate real general\n2 2 3\n1 2 1.5\n2 1 4\n1 2 2.25\n';
    expect(Array.from(matrixMarketToCsr(parseMatrixMarket(dup, 'dup.mtx')).toDense())).toEqual([
      0, 3.75, 4, 0,
    ]);
    const sym = '%%MatrixMarket matrix coordinate integer symmetric\n3 3 3\n1 1 5\n3 1 -2\n3 2 7\n';
    const dense = matrixMarketToCsr(parseMatrixMarket(sym, 'sym.mtx')).toDense();
    expect(Array.from(dense)).toEqual([5, 0, -2, 0, 0, 7, -2, 7, 0]);
    const upper = '%%MatrixMarket matrix coordinate real symmetric\n2 2 2\n1 2 3\n2 2 1\n';
    expect(Array.from(matrixMarketToCsr(parseMatrixMarket(upper, 'up.mtx')).toDense())).toEqual([0, 3, 3, 1]);
    const pattern = parseMatrixMarket(
      '%%MatrixMarket matrix coordinate pattern general\n2 3 2\n1 3\n2 1\n',
      'p.mtx',
    );
    expect(Array.from(matrixMarketToCsr(pattern).toDense())).toEqual([0, 0, 1, 1, 0, 0]);
  });

  it('accepts a case-insensitive header, trailing blank lines and no final newline', () => {
    const mm = parseMatrixMarket('%%matrixmarket MATRIX Coordinate REAL General\n 2 2 1 \n2 2 -7.5', 'c.mtx');
    expect([mm.rows, mm.cols, mm.values[0], mm.rowIdx[0], mm.colIdx[0]]).toEqual([2, 2, -7.5, 1, 1]);
    expect(
      parseMatrixMarket('%%MatrixMarket matrix coordinate real general\n1 1 0\n\n\n', 'e.mtx').rowIdx.length,
    ).toBe(0);
  });
});

const H = '%%MatrixMarket matrix coordinate real general';
// [what, text, line the error must name, phrase it must contain]
const MALFORMED: [string, string, number, string][] = [
  ['empty file', '', 1, 'empty file'],
  ['no header', '3 3 1\n1 1 1\n', 1, 'first line must be'],
  ['short header', '%%MatrixMarket matrix coordinate real\n1 1 0\n', 1, '5 words'],
  ['array format', '%%MatrixMarket matrix array real general\n2 2\n1\n2\n3\n4\n', 1, '"array"'],
  ['complex field', '%%MatrixMarket matrix coordinate complex general\n1 1 1\n1 1 1 0\n', 1, '"complex"'],
  ['hermitian', '%%MatrixMarket matrix coordinate real hermitian\n1 1 1\n1 1 1\n', 1, '"hermitian"'],
  [
    'skew-symmetric',
    '%%MatrixMarket matrix coordinate real skew-symmetric\n2 2 1\n2 1 1\n',
    1,
    '"skew-symmetric"',
  ],
  ['unknown field', '%%MatrixMarket matrix coordinate double general\n1 1 0\n', 1, 'field "double"'],
  ['vector object', '%%MatrixMarket vector coordinate real general\n1 1 0\n', 1, 'object "vector"'],
  ['missing size line', `${H}\n% only comments\n\n`, 3, 'missing size line'],
  ['size line, two numbers', `${H}\n% c\n3 3\n1 1 1\n`, 3, 'size line must be'],
  ['size line, not integers', `${H}\n3 3.5 1\n1 1 1\n`, 2, 'non-negative integers'],
  ['size line, negative', `${H}\n3 -3 1\n1 1 1\n`, 2, 'non-negative integers'],
  ['symmetric, not square', '%%MatrixMarket matrix coordinate real symmetric\n3 2 1\n1 1 1\n', 2, 'square'],
  ['more entries declared than positions', `${H}\n2 2 5\n1 1 1\n`, 2, 'more than 2×2'],
  ['more entries declared than text', `${H}\n2000 2000 1000000\n1 1 1\n`, 2, 'cannot hold'],
  ['row out of range', `${H}\n3 3 2\n1 1 1\n4 1 1\n`, 4, 'row index 4 is outside 1..3'],
  ['column 0', `${H}\n3 3 2\n% c\n1 1 1\n2 0 1\n`, 5, 'column index 0 is outside 1..3'],
  ['negative index', `${H}\n3 3 1\n-1 1 1\n`, 3, 'positive integers'],
  ['fractional index', `${H}\n3 3 1\n1.0 1 1\n`, 3, 'positive integers'],
  ['non-numeric value', `${H}\n3 3 2\n1 1 1\n2 2 abc\n`, 4, 'value "abc" is not a finite number'],
  ['hex value', `${H}\n3 3 1\n1 1 0x10\n`, 3, 'not a finite number'],
  ['nan value', `${H}\n3 3 1\n1 1 nan\n`, 3, 'not a finite number'],
  ['infinite value', `${H}\n3 3 1\n1 1 1e400\n`, 3, 'not a finite number'],
  [
    'fractional integer',
    '%%MatrixMarket matrix coordinate integer general\n3 3 1\n1 1 1.5\n',
    3,
    'not an integer',
  ],
  ['missing value', `${H}\n3 3 1\n1 1\n`, 3, 'expected 3 numbers'],
  ['extra value', `${H}\n3 3 1\n1 1 1 1\n`, 3, 'expected 3 numbers'],
  [
    'pattern with a value',
    '%%MatrixMarket matrix coordinate pattern general\n3 3 1\n1 1 1\n',
    3,
    'expected 2 numbers',
  ],
  [
    'fewer entries than declared',
    `${H}\n3 3 3\n1 1 1\n\n2 2 1\n% end\n`,
    5,
    'declares 3 entries but the file holds 2',
  ],
  ['more entries than declared', `${H}\n3 3 1\n1 1 1\n2 2 1\n`, 4, 'more entries than the 1 declared'],
  [
    'symmetric, both triangles',
    '%%MatrixMarket matrix coordinate real symmetric\n3 3 2\n2 1 1\n1 2 1\n',
    4,
    'both sides of the diagonal',
  ],
];

describe('Matrix Market errors name the file, the line and the problem', () => {
  for (const [what, text, line, phrase] of MALFORMED) {
    it(what, () => {
      let caught: unknown;
      try {
        parseMatrixMarket(text, 'bad.mtx');
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(MatrixMarketError);
      const err = caught as MatrixMarketError;
      expect(err.message.startsWith(`bad.mtx:${line}: `), err.message).toBe(true);
      expect(err.line).toBe(line);
      expect(err.message).toContain(phrase);
    });
  }
});

describe('real files', () => {
  it('Franz6 (integer general, 10592×3016) parses with the declared counts', () => {
    const mm = parseMatrixMarket(sharedFile('suitesparse/Franz6_id1959_aug.mtx'), 'Franz6_id1959_aug.mtx');
    expect([mm.rows, mm.cols, mm.field, mm.symmetry, mm.rowIdx.length]).toEqual([
      10592,
      3016,
      'integer',
      'general',
      48472,
    ]);
    // The first entries of the file: "1 1 -1", "2 1 1", "9 1 -1".
    expect([mm.rowIdx[0], mm.colIdx[0], mm.values[0]]).toEqual([0, 0, -1]);
    expect([mm.rowIdx[2], mm.colIdx[2], mm.values[2]]).toEqual([8, 0, -1]);
    const csr = matrixMarketToCsr(mm);
    expect(csr.nnz).toBe(48472); // no duplicates in this file
    expect(Array.from(mm.values).every(Number.isInteger)).toBe(true);
  });

  it('Graph Challenge layer 6 is stored symmetric: half the entries, 32 per row once mirrored', () => {
    const mm = parseMatrixMarket(sharedFile('graph-challenge-dnn/n1024-l6.mtx'), 'n1024-l6.mtx');
    expect(mm.symmetry).toBe('symmetric');
    const csr = matrixMarketToCsr(mm);
    expect(csr.nnz).toBe(32768);
    for (let r = 0; r < csr.rows; r++) expect(csr.rowLength(r)).toBe(32);
    expectSameCsr(csr, csr.transpose());
  });

  it('parses a 450 KB layer file quickly (prints the time; not a timed assertion)', () => {
    const text = sharedFile('graph-challenge-dnn/n1024-l1.mtx');
    parseMatrixMarket(text, 'warm-up');
    const t0 = performance.now();
    const mm = parseMatrixMarket(text, 'n1024-l1.mtx');
    const t1 = performance.now();
    const csr = matrixMarketToCsr(mm, { transpose: true });
    const t2 = performance.now();
    console.log(
      `n1024-l1.mtx (${text.length} chars): parse ${(t1 - t0).toFixed(2)} ms, to CSR ${(t2 - t1).toFixed(2)} ms`,
    );
    expect(csr.nnz).toBe(32768);
    expect(Array.from(csr.values).every((v) => v === 0.0625)).toBe(true);
  });
});
