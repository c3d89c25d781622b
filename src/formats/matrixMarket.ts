// Matrix Market coordinate files (https://math.nist.gov/MatrixMarket/formats.html): the reader (CSR
// conversion and the writer: matrixMarketCsr.ts).
// Pure string → typed arrays, no Node APIs: the browser reads 1200×1024 files too.
//
// Supported: `%%MatrixMarket matrix coordinate {real|integer|pattern} {general|symmetric}`.
// Rejected with a MatrixMarketError: `array` (dense) format, `complex` field, `hermitian` and
// `skew-symmetric` symmetry. A symmetric file may store either triangle, but not both (that would count
// every off-diagonal pair twice when mirrored). Comment lines (`%`) and blank lines are allowed anywhere
// after the header; indices are 1-based in the file and 0-based here.

import { LIMITS } from '../params/limits';
import { quote } from '../params/quote';
import { FLOAT32_MAX } from '../params/values';

export type MatrixMarketField = 'real' | 'integer' | 'pattern';
export type MatrixMarketSymmetry = 'general' | 'symmetric';

/** The entries exactly as stored in the file (one triangle of a symmetric matrix), 0-based. */
export interface MatrixMarket {
  fileName: string;
  rows: number;
  cols: number;
  field: MatrixMarketField;
  symmetry: MatrixMarketSymmetry;
  rowIdx: Uint32Array; // stored entries, 0-based
  colIdx: Uint32Array;
  values: Float32Array; // pattern → 1
}

export class MatrixMarketError extends Error {
  override name = 'MatrixMarketError';
  constructor(
    readonly fileName: string,
    readonly line: number,
    readonly problem: string,
  ) {
    super(`${fileName}:${line}: ${problem}`);
  }
}

const FIELDS: readonly string[] = ['real', 'integer', 'pattern'];
const SYMMETRIES: readonly string[] = ['general', 'symmetric'];

// Character codes used by the scanner.
const NL = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;
const PERCENT = 37;
const ZERO = 48;
const NINE = 57;

/** Line-oriented scanner over the whole text (no per-line split or regex: a layer file is 450 KB). */
class Scanner {
  pos = 0;
  line = 0; // 1-based number of the line last returned by nextLine
  start = 0; // [start, end) of that line, with '\r' and surrounding whitespace trimmed
  end = 0;

  constructor(readonly text: string) {}

  /** Advance to the next line; false at end of text. */
  nextLine(): boolean {
    const { text } = this;
    if (this.pos >= text.length) return false;
    let nl = text.indexOf('\n', this.pos);
    if (nl < 0) nl = text.length;
    let s = this.pos;
    let e = nl;
    while (s < e && isBlank(text.charCodeAt(s))) s++;
    while (e > s && isBlank(text.charCodeAt(e - 1))) e--;
    this.start = s;
    this.end = e;
    this.pos = nl + 1;
    this.line++;
    return true;
  }

  /** Next line that is neither blank nor a comment; false at end of text. */
  nextDataLine(): boolean {
    while (this.nextLine()) {
      if (this.start < this.end && this.text.charCodeAt(this.start) !== PERCENT) return true;
    }
    return false;
  }

  /** Whitespace-separated tokens of the current line (used for the header and size lines only). */
  tokens(): string[] {
    return this.text.slice(this.start, this.end).split(/[ \t]+/);
  }
}

function isBlank(c: number): boolean {
  return c === SPACE || c === TAB || c === CR || c === NL;
}

/** Parse a Matrix Market coordinate file. Every problem is a MatrixMarketError naming file and line. */
export function parseMatrixMarket(text: string, fileName: string): MatrixMarket {
  const sc = new Scanner(text);
  const fail = (problem: string, line = sc.line): never => {
    throw new MatrixMarketError(fileName, line, problem);
  };
  const { field, symmetry } = parseHeader(sc, fail);

  if (!sc.nextDataLine()) fail('missing size line "rows cols entries" after the header');
  const size = sc.tokens();
  if (size.length !== 3) {
    fail(`size line must be "rows cols entries", got ${quote(size.join(' '))}`);
  }
  const [rows, cols, declared] = size.map((t) => (/^\d+$/.test(t) ? Number(t) : Number.NaN));
  if (![rows, cols, declared].every(Number.isSafeInteger)) {
    fail(`size line must hold three non-negative integers, got ${quote(size.join(' '))}`);
  }
  // Bounded by a stated limit: a CSR of `rows` rows holds rows + 1 offsets whatever the file's length.
  if (rows > LIMITS.matrixSide || cols > LIMITS.matrixSide) {
    fail(`${rows}×${cols} is over the limit of ${LIMITS.matrixSide} rows or columns (matrixSide)`);
  }
  if (symmetry === 'symmetric' && rows !== cols)
    fail(`a symmetric matrix must be square, got ${rows}×${cols}`);
  if (declared > rows * cols) fail(`${declared} entries declared, more than ${rows}×${cols} positions`);
  // Every entry needs at least "i j\n" (4 characters): refuse to allocate for an impossible count.
  if (declared > (text.length - sc.pos) / 4 + 1) {
    fail(
      `${declared} entries declared, but the rest of the file (${text.length - sc.pos} characters) cannot hold them`,
    );
  }

  const rowIdx = new Uint32Array(declared);
  const colIdx = new Uint32Array(declared);
  const values = new Float32Array(declared);
  const wantTokens = field === 'pattern' ? 2 : 3;
  let count = 0;
  let triangle = 0; // symmetric: +1 lower, -1 upper, 0 not yet seen
  let lastDataLine = sc.line;
  while (sc.nextDataLine()) {
    lastDataLine = sc.line;
    if (count >= declared) fail(`more entries than the ${declared} declared on the size line`);
    const { text: t, end } = sc;
    // Up to 4 token bounds in locals (no per-line arrays): [s0,e0) [s1,e1) [s2,e2), n = tokens seen.
    let s0 = 0,
      e0 = 0,
      s1 = 0,
      e1 = 0,
      s2 = 0,
      e2 = 0,
      n = 0;
    let p = sc.start;
    while (p < end && n < 4) {
      while (p < end && isBlank(t.charCodeAt(p))) p++;
      if (p >= end) break;
      const s = p;
      while (p < end && !isBlank(t.charCodeAt(p))) p++;
      if (n === 0) {
        s0 = s;
        e0 = p;
      } else if (n === 1) {
        s1 = s;
        e1 = p;
      } else if (n === 2) {
        s2 = s;
        e2 = p;
      }
      n++;
    }
    if (n !== wantTokens) {
      fail(
        `expected ${wantTokens} numbers ("row col${wantTokens === 3 ? ' value' : ''}") for a ${field} entry, ` +
          `got ${n === 4 ? 'more' : n}: ${quote(t.slice(sc.start, end))}`,
      );
    }
    const r = parseIndex(t, s0, e0);
    const c = parseIndex(t, s1, e1);
    if (r < 0 || c < 0) fail(`indices must be positive integers, got ${quote(t.slice(sc.start, end))}`);
    if (r < 1 || r > rows) fail(`row index ${r} is outside 1..${rows}`);
    if (c < 1 || c > cols) fail(`column index ${c} is outside 1..${cols}`);
    if (symmetry === 'symmetric' && r !== c) {
      const side = r > c ? 1 : -1;
      if (triangle === 0) triangle = side;
      else if (side !== triangle) {
        fail(`symmetric file stores entries on both sides of the diagonal (${r}, ${c}); keep one triangle`);
      }
    }
    let v = 1;
    if (wantTokens === 3) {
      v = parseSimpleDecimal(t, s2, e2);
      if (Number.isNaN(v)) {
        // Exponents and long mantissas; the regex keeps out what Number() also accepts ('0x10', '').
        const token = t.slice(s2, e2);
        v = DECIMAL.test(token) ? Number(token) : Number.NaN;
        if (!Number.isFinite(v)) fail(`value ${quote(token)} is not a finite number`);
        if (Math.abs(v) > FLOAT32_MAX) fail(`value ${quote(token)} is outside the float32 range (±3.4e38)`);
      }
      if (field === 'integer' && !Number.isInteger(v))
        fail(`value ${quote(t.slice(s2, e2))} is not an integer`);
    }
    rowIdx[count] = r - 1;
    colIdx[count] = c - 1;
    values[count] = v;
    count++;
  }
  if (count < declared) {
    fail(`the size line declares ${declared} entries but the file holds ${count}`, lastDataLine);
  }
  return { fileName, rows, cols, field, symmetry, rowIdx, colIdx, values };
}

function parseHeader(
  sc: Scanner,
  fail: (problem: string, line?: number) => never,
): { field: MatrixMarketField; symmetry: MatrixMarketSymmetry } {
  if (!sc.nextLine()) fail('empty file: no "%%MatrixMarket" header', 1);
  const words = sc.tokens().map((w) => w.toLowerCase());
  if (words[0] !== '%%matrixmarket')
    fail('first line must be the "%%MatrixMarket matrix coordinate …" header');
  if (words.length !== 5) fail(`header must have 5 words, got ${quote(words.join(' '))}`);
  const [, object, format, field, symmetry] = words;
  if (object !== 'matrix') fail(`object ${quote(object)} is not supported (only "matrix")`);
  if (format === 'array') fail('"array" (dense) format is not supported; only "coordinate"');
  if (format !== 'coordinate') fail(`format ${quote(format)} is not supported; only "coordinate"`);
  if (field === 'complex') fail('"complex" field is not supported (real, integer, pattern)');
  if (!FIELDS.includes(field)) fail(`field ${quote(field)} is not one of real, integer, pattern`);
  if (symmetry === 'hermitian' || symmetry === 'skew-symmetric') {
    fail(`${quote(symmetry)} symmetry is not supported (general, symmetric)`);
  }
  if (!SYMMETRIES.includes(symmetry)) fail(`symmetry ${quote(symmetry)} is not one of general, symmetric`);
  return { field: field as MatrixMarketField, symmetry: symmetry as MatrixMarketSymmetry };
}

/** Decimal digits in [s, e) as a number; -1 if anything else is there (sign, dot, exponent, letters). */
function parseIndex(text: string, s: number, e: number): number {
  if (e - s > 15) return -1;
  let n = 0;
  for (let i = s; i < e; i++) {
    const d = text.charCodeAt(i);
    if (d < ZERO || d > NINE) return -1;
    n = n * 10 + (d - ZERO);
  }
  return n;
}

const DECIMAL = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * Fast path for `[-+]digits[.digits]` with at most 15 significant digits: mantissa / 10^k with both
 * exact doubles is one correctly rounded division, so the result equals Number(token) (Clinger's fast
 * path). NaN for anything else, and the caller falls back to Number().
 */
function parseSimpleDecimal(text: string, s: number, e: number): number {
  let i = s;
  let negative = false;
  const first = text.charCodeAt(i);
  if (first === 45 || first === 43) {
    negative = first === 45; // '-'
    i++;
  }
  let mantissa = 0;
  let digits = 0; // significant digits (leading zeros not counted)
  let sawDigit = false;
  let fraction = -1; // digits after the '.', or -1 before one is seen
  for (; i < e; i++) {
    const c = text.charCodeAt(i);
    if (c >= ZERO && c <= NINE) {
      mantissa = mantissa * 10 + (c - ZERO);
      sawDigit = true;
      if (mantissa > 0) digits++;
      if (fraction >= 0) fraction++;
    } else if (c === 46 && fraction < 0) {
      fraction = 0; // '.'
    } else {
      return Number.NaN;
    }
  }
  if (!sawDigit || digits > 15 || fraction > 15) return Number.NaN;
  const value = fraction > 0 ? mantissa / POW10[fraction] : mantissa;
  return negative ? -value : value;
}
