// The one parser/validator of user-given values, shared by the CLI's flags and the app's URL parameters:
// numbers (float32 range), whole numbers in a range, seeds, densities (decimals or fractions), choices
// and comma-separated lists. Each kind is data (`ValueKind`), so a command's flag table or the app's
// parameter table says what it accepts in one place. Problems throw a ParamError naming the parameter.
import { quote } from './quote';

/** Largest finite float32; a value beyond it would become Infinity in a Float32Array. */
export const FLOAT32_MAX = 3.4028234663852886e38;

export type ValueKind =
  | { type: 'text' }
  | { type: 'number'; min?: number; max?: number }
  | { type: 'int'; min: number; max: number }
  | { type: 'density' }
  | { type: 'choice'; choices: readonly string[] }
  /** Text of one exact shape (a URL's `neuron=sparse:b3.mlp:1203`); `expected` says it in words. */
  | { type: 'pattern'; pattern: RegExp; expected: string }
  | { type: 'list'; item: ValueKind; maxItems?: number };

export type Value = string | number | number[] | string[];

export class ParamError extends Error {
  override name = 'ParamError';
  constructor(
    /** How the user wrote the parameter's name: `--density` on the command line, `density` in a URL. */
    readonly param: string,
    readonly problem: string,
  ) {
    super(`${param}: ${problem}`);
  }
}

const DECIMAL = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** A finite decimal within float32 range ("1e39" is refused: it would be Infinity as a float32). */
export function parseNumber(text: string, min = -FLOAT32_MAX, max = FLOAT32_MAX): number {
  const t = text.trim();
  if (!DECIMAL.test(t)) throw new Error(`${quote(text)} is not a number`);
  const v = Number(t);
  if (!Number.isFinite(v) || Math.abs(v) > FLOAT32_MAX) {
    throw new Error(`${quote(text)} is outside the float32 range (±3.4e38)`);
  }
  if (v < min || v > max) throw new Error(`${quote(text)} is outside ${rangeText(min, max)}`);
  return v;
}

/** A whole number in [min, max] written as digits ("1e3", "2.0" and "0x10" are refused). */
export function parseWhole(text: string, min: number, max: number): number {
  const t = text.trim();
  const v = Number(t);
  if (!/^[-+]?\d+$/.test(t) || !Number.isSafeInteger(v) || v < min || v > max) {
    throw new Error(`${quote(text)} is not a whole number from ${min} to ${max}`);
  }
  return v;
}

/** A density in (0, 1]: a decimal ("0.015625", "1e-3") or a fraction ("1/64"). */
export function parseDensity(text: string): number {
  const t = text.trim();
  const m = /^(\d+(?:\.\d+)?)\s*\/\s*(\d+(?:\.\d+)?)$/.exec(t);
  const v = m ? Number(m[1]) / Number(m[2]) : DECIMAL.test(t) ? Number(t) : Number.NaN;
  if (!Number.isFinite(v)) throw new Error(`${quote(text)} is not a number or a fraction like 1/64`);
  if (!(v > 0 && v <= 1)) throw new Error(`${quote(text)} is outside (0, 1]`);
  return v;
}

/** One of `choices` (an own entry of the list: "constructor" or "__proto__" never match). */
function parseChoice(text: string, choices: readonly string[]): string {
  if (choices.includes(text)) return text;
  throw new Error(`${quote(text)} is not one of ${choices.join(', ')}`);
}

/** Parse `text` as `kind`; problems throw a ParamError naming `param`. */
export function parseValue(param: string, text: string, kind: ValueKind): Value {
  try {
    return parseKind(text, kind);
  } catch (err) {
    if (err instanceof ParamError) throw err;
    throw new ParamError(param, err instanceof Error ? err.message : String(err));
  }
}

function parseKind(text: string, kind: ValueKind): Value {
  switch (kind.type) {
    case 'text':
      return text;
    case 'number':
      return parseNumber(text, kind.min, kind.max);
    case 'int':
      return parseWhole(text, kind.min, kind.max);
    case 'density':
      return parseDensity(text);
    case 'choice':
      return parseChoice(text, kind.choices);
    case 'pattern':
      if (kind.pattern.test(text)) return text;
      throw new Error(`${quote(text)} is not ${kind.expected}`);
    case 'list': {
      const items = text.split(',').map((s) => s.trim());
      const empty = items.indexOf('');
      if (empty >= 0) {
        throw new Error(`item ${empty + 1} of ${quote(text)} is empty (write items like 1,2,3)`);
      }
      if (kind.maxItems !== undefined && items.length > kind.maxItems) {
        throw new Error(`${items.length} items is more than the ${kind.maxItems} allowed`);
      }
      const values = items.map((item) => parseKind(item, kind.item));
      return kind.item.type === 'choice' || kind.item.type === 'text'
        ? (values as string[])
        : (values as number[]);
    }
  }
}

/** How a kind is described in a usage line: "a whole number from 1 to 200", … */
export function describeKind(kind: ValueKind): string {
  switch (kind.type) {
    case 'text':
      return 'text';
    case 'number':
      return `a number${kind.min !== undefined || kind.max !== undefined ? ` in ${rangeText(kind.min, kind.max)}` : ''}`;
    case 'int':
      return `a whole number from ${kind.min} to ${kind.max}`;
    case 'density':
      return 'a density in (0, 1], e.g. 0.25 or 1/64';
    case 'choice':
      return kind.choices.join('|');
    case 'pattern':
      return kind.expected;
    case 'list':
      return `comma-separated: ${describeKind(kind.item)}`;
  }
}

function rangeText(min = -FLOAT32_MAX, max = FLOAT32_MAX): string {
  if (min === -FLOAT32_MAX) return `(-∞, ${max}]`;
  if (max === FLOAT32_MAX) return `[${min}, ∞)`;
  return `[${min}, ${max}]`;
}

/** Common kinds, named as the project uses them. */
export const KINDS = {
  text: { type: 'text' },
  density: { type: 'density' },
  densities: { type: 'list', item: { type: 'density' } },
  seed: { type: 'int', min: 0, max: 2 ** 32 - 1 },
  number: { type: 'number' },
  backend: { type: 'choice', choices: ['webgpu', 'cpu'] },
} as const satisfies Record<string, ValueKind>;
