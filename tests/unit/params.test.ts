// The shared argument validator (src/params) and the CLI's strict flag tables built on it.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseArgs, stringFlag, UsageError } from '../../src/cli/args';
import { flag, HelpRequested, strictFlags } from '../../src/cli/flags';
import { parseMatrixMarket } from '../../src/formats/matrixMarket';
import { loadHfGpt2 } from '../../src/model/hfGpt2';
import { checkFinite } from '../../src/params/finite';
import { checkDense, checkLimit, LIMITS } from '../../src/params/limits';
import { closest, quote } from '../../src/params/quote';
import {
  FLOAT32_MAX,
  KINDS,
  ParamError,
  parseDensity,
  parseNumber,
  parseValue,
} from '../../src/params/values';

describe('values', () => {
  it('densities: decimals and fractions in (0, 1], nothing else', () => {
    expect(parseDensity('1/64')).toBe(1 / 64);
    expect(parseDensity('0.25')).toBe(0.25);
    expect(parseDensity('1e-3')).toBe(0.001);
    expect(parseDensity(' 1 ')).toBe(1);
    for (const bad of [
      '0',
      '-0.5',
      '2',
      '1/0',
      '0/1',
      'constructor',
      '__proto__',
      '',
      '0x1',
      'NaN',
      'Infinity',
    ]) {
      expect(() => parseDensity(bad), bad).toThrow(/density|number|outside/);
    }
  });

  it('numbers stay within float32 range', () => {
    expect(parseNumber('-0.3')).toBe(-0.3);
    expect(parseNumber('3e38')).toBe(3e38);
    expect(() => parseNumber('1e39')).toThrow(/float32/);
    expect(() => parseNumber('-1e39')).toThrow(/float32/);
    expect(() => parseNumber('0x10')).toThrow(/not a number/);
    expect(() => parseNumber('')).toThrow(/not a number/);
    expect(FLOAT32_MAX).toBe(new Float32Array([3.4028234663852886e38])[0]);
  });

  it('whole numbers, seeds and lists: the bad values the issue lists', () => {
    const seed = (t: string) => parseValue('--seed', t, KINDS.seed);
    expect(seed('0')).toBe(0);
    expect(seed('4294967295')).toBe(2 ** 32 - 1);
    for (const bad of ['1.5', '-1', '4294967296', '1e3', '99999999999999999999']) {
      expect(() => seed(bad), bad).toThrow(ParamError);
    }
    const ints = { type: 'list', item: { type: 'int', min: 1, max: 10 } } as const;
    expect(parseValue('--batches', '1, 2,3', ints)).toEqual([1, 2, 3]);
    expect(() => parseValue('--batches', '0', ints)).toThrow(
      '--batches: "0" is not a whole number from 1 to 10',
    );
    expect(() => parseValue('--tokens', ',', ints)).toThrow(/item 1 .* is empty/);
    expect(() => parseValue('--tokens', '5,,5', ints)).toThrow(/item 2 .* is empty/);
    expect(parseValue('--d', '1,1/4', KINDS.densities)).toEqual([1, 0.25]);
  });

  it('choices match own entries only (no prototype names)', () => {
    for (const bad of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect(() => parseValue('backend', bad, KINDS.backend)).toThrow(
        `backend: "${bad}" is not one of webgpu, cpu`,
      );
    }
    expect(parseValue('backend', 'cpu', KINDS.backend)).toBe('cpu');
  });
});

describe('quote and limits', () => {
  it('quotes at most 200 characters, with control characters escaped', () => {
    const long = 'x'.repeat(50_000_000);
    const q = quote(long);
    expect(q.length).toBeLessThan(260);
    expect(q).toContain('(50000000 characters)');
    expect(quote('a\rb\u001b[2J"')).toBe('"a\\rb\\u001b[2J\\""');
  });

  it('suggests the closest name', () => {
    expect(closest('desnity', ['density', 'seed'])).toBe('density');
    expect(closest('dens', ['density', 'seed'])).toBe('density');
    expect(closest('zzzzzz', ['density', 'seed'])).toBeNull();
  });

  it('limits name themselves; dense arrays are bounded', () => {
    expect(() => checkLimit('--batch', LIMITS.batch + 1, 'batch')).toThrow(/limit of 4,096 \(batch\)/);
    expect(() => checkLimit('--batch', Number.NaN, 'batch')).toThrow(/batch/);
    expect(() => checkDense('A', 50000, 50000)).toThrow(/50000×50000 .*9\.3 GiB.*\(denseElements\)/);
    checkDense('A', 1024, 1024);
  });

  it('non-finite outputs are errors that say where', () => {
    checkFinite('y', new Float32Array([1, 2]));
    expect(() => checkFinite('y', [1, Number.POSITIVE_INFINITY, Number.NaN])).toThrow(
      'y: 2 of 3 values are not finite (first: Infinity at element 1)',
    );
  });
});

describe('inputs bounded and in float32 range', () => {
  const header = '%%MatrixMarket matrix coordinate real general\n';
  it('Matrix Market: huge declared sizes, out-of-range values, long and CR-only lines', () => {
    expect(() => parseMatrixMarket(`${header}2147483647 2147483647 1\n1 1 1\n`, 'a.mtx')).toThrow(
      /a\.mtx:2: .* over the limit of 16777216 rows or columns \(matrixSide\)/,
    );
    expect(() => parseMatrixMarket(`${header}4294967297 1 1\n1 1 1\n`, 'a.mtx')).toThrow(/matrixSide/);
    expect(() => parseMatrixMarket(`${header}2 2 1\n1 1 1e39\n`, 'a.mtx')).toThrow(/a\.mtx:3: .*float32/);
    const long = `${header}2 2 1\n1 1 ${'9'.repeat(100_000)} 7\n`;
    expect(() => parseMatrixMarket(long, 'a.mtx')).toThrow(/\(100\d\d\d characters\)/);
    const crOnly = `${header}2 2 1\r1 1 1\r`.replace('\n', '\r');
    let message = '';
    try {
      parseMatrixMarket(crOnly, 'cr.mtx');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/cr\.mtx/); // it is refused, naming the file
    expect(message).not.toMatch(/\r/);
    expect(message.length).toBeLessThan(400);
  });

  it('config.json that is JSON but not an object, or lacks n_head, is an error naming it', () => {
    const model = new Uint8Array(
      readFileSync(new URL('../fixtures/tiny-gpt2/model.safetensors', import.meta.url)),
    );
    for (const config of ['[1,2]', 'null', '3', '{}']) {
      expect(() => loadHfGpt2(model, { configJson: config, fileName: 'm.safetensors' }), config).toThrow(
        /m\.safetensors: config\.json/,
      );
    }
  });
});

describe('strict flags', () => {
  const TABLE = {
    density: flag.density(),
    detail: flag.bool(),
    samples: flag.int(1, 200),
    bias: flag.number(),
    tokens: flag.ints(0, 100),
    path: flag.choice(['dense', 'sparse']),
  };
  const strict = (...argv: string[]) => strictFlags(parseArgs(argv), TABLE);

  it('normalizes values so the existing readers work', () => {
    const args = strict(
      '--density',
      '1/64',
      '--detail',
      '--bias',
      '-0.3',
      '--tokens=1,2',
      '--path',
      'sparse',
    );
    expect(stringFlag(args, 'density')).toBe(String(1 / 64));
    expect(args.flags.get('detail')).toBe(true);
    expect(stringFlag(args, 'bias')).toBe('-0.3');
    expect(stringFlag(args, 'tokens')).toBe('1,2');
  });

  it('rejects unknown flags with a suggestion, stray words, repeats, missing and bad values', () => {
    const cases: [string[], RegExp][] = [
      [['--desnity', '1/4'], /unknown flag --desnity; did you mean --density\?/],
      [['--detail', 'foo'], /unexpected argument "foo"/],
      [['-x'], /unknown option "-x"/],
      [['--samples', '1', '--samples', '2'], /--samples is given twice/],
      [['--samples'], /--samples needs a value/],
      [['--samples', '0'], /--samples: "0" is not a whole number from 1 to 200/],
      [['--detail=1'], /takes no value/],
      [['--bias', '1e39'], /float32/],
      [['--__proto__', '1'], /unknown flag/],
      [['--constructor'], /unknown flag/],
      [['--path', 'constructor'], /not one of dense, sparse/],
    ];
    for (const [argv, message] of cases) {
      let caught: unknown;
      try {
        strict(...argv);
      } catch (err) {
        caught = err;
      }
      expect(caught, argv.join(' ')).toBeInstanceOf(UsageError);
      expect((caught as Error).message, argv.join(' ')).toMatch(message);
    }
  });
});

describe('--help', () => {
  it('lists the table, unless the command has its own usage', () => {
    const table = { density: flag.density('of the twin') };
    expect(() => strictFlags(parseArgs(['--help']), table)).toThrow(HelpRequested);
    expect(() => strictFlags(parseArgs(['-h']), table)).toThrow(
      /--density +a density in \(0, 1\].*of the twin/,
    );
    expect(strictFlags(parseArgs(['--help']), { help: flag.bool() }).flags.get('help')).toBe(true);
  });
});
