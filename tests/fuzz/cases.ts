// Seeded hostile CLI cases over the classes of issue 14: corrupt Matrix Market and X.json files, values
// outside float32, token lists with empty items, unknown and misspelled flags, out-of-range flag values,
// unusable config.json, truncated safetensors. Each case says which name its error message must contain
// (`names`), or null where the command may succeed (then its outputs must be finite).
import { Rng } from '../../src/math/rng';

export interface FuzzCase {
  id: string;
  argv: string[];
  /** Files to write in the case's folder: text, or `{ copy }` of a repository file, or `{ bytes }`. */
  files: Record<string, string | { copy: string } | { bytes: number[] }>;
  names: string;
  /** A valid command line: it may exit 0 (and then every number it writes must be finite). */
  mayPass?: boolean;
}

const HEADER = '%%MatrixMarket matrix coordinate real general\n';
const FIXTURE = 'tests/fixtures/tiny-gpt2/model.safetensors';

/** Matrix Market bodies that must be refused, each with what its message must name. */
const BAD_MTX: [string, string][] = [
  [`${HEADER}2147483647 2147483647 1\n1 1 1\n`, 'matrixSide'],
  [`${HEADER}4294967297 1 1\n1 1 1\n`, 'matrixSide'],
  [`${HEADER}99999999999999999999 1 1\n1 1 1\n`, 'size line'],
  [`${HEADER}2 2 999999999\n1 1 1\n`, 'entries declared'],
  [`${HEADER}2 2 1\n1 1 1e39\n`, 'float32'],
  [`${HEADER}2 2 1\n1 1 -1e39\n`, 'float32'],
  [`${HEADER}2 2 1\n1 1 nan\n`, 'not a finite number'],
  [`${HEADER}2 2 1\n1 1 0x10\n`, 'not a finite number'],
  [`${HEADER}2 2 1\n0 1 1\n`, 'outside 1..2'],
  [`${HEADER}2 2 1\n-1 1 1\n`, 'positive integers'],
  [`${HEADER}2 2 1\n1 1 ${'9'.repeat(300_000)} 5\n`, 'characters)'],
  [`${HEADER.replace('\n', '\r')}2 2 1\r1 1 1\r`, 'header'],
  ['', 'empty file'],
];

const BAD_X: [string, string][] = [
  ['[[1e39],[1]]', 'float32'],
  ['[[null],[1]]', 'not a finite number'],
  ['[[1],[2,3]]', 'row 2'],
  ['[1,2]', 'row 1'],
  ['{"__proto__": 1}', 'expected an array'],
  [`${'['.repeat(50_000)}`, 'not JSON'],
];

const BAD_FLAGS: [string[], string][] = [
  [['run', '--model', 'tiny', '--tokens', '1', '--desnity', '1/4'], '--density'],
  [['bench', '--sampels', '3'], '--samples'],
  [['bench', '--samples', '0'], '--samples'],
  [['bench', '--batches', '0'], '--batches'],
  [['bench', '--batches', '-1'], '--batches'],
  [['bench', '--densities', '1,,1/4'], '--densities'],
  [['bench', '--shapes', '20000x20000'], '--shapes'],
  [['run', '--model', 'tiny', '--tokens', '1', '--generate', '-5'], '--generate'],
  [['run', '--model', 'tiny', '--tokens', '1', '--seed', '1.5'], '--seed'],
  [['run', '--model', 'tiny', '--tokens', '1', '--seed', '99999999999999999999'], '--seed'],
  [['run', '--model', 'tiny', '--tokens', '1', '--repeats', '0'], '--repeats'],
  [['run', '--model', 'tiny', '--tokens', '1', '--repeats', '-3'], '--repeats'],
  [['run', '--model', 'tiny', '--tokens', '1', '--density', 'constructor'], '--density'],
  [['run', '--model', 'tiny', '--tokens', '1', '--density', '__proto__'], '--density'],
  [['run', '--model', 'tiny', '--tokens', '1', '--density', '0'], '--density'],
  [['run', '--model', 'tiny', '--tokens', '1', '--prompt', 'hi'], '--prompt'],
  [['run', '--model', 'tiny', '--tokens', '1', 'stray'], 'stray'],
  [['run', '--model', 'tiny', '--tokens', ','], '--tokens'],
  [['run', '--model', 'tiny', '--tokens', '5,,5'], '--tokens'],
  [['run', '--model', 'tiny', '--tokens', '1e3'], '--tokens'],
  [['run', '--model', 'tiny', '--tokens', '99999999'], 'vocabulary'],
  [['run', '--model', '__proto__', '--tokens', '1'], '__proto__'],
  [['dnn', '--layers', '.', '--input', 'x.mtx', '--ymax', '-1'], '--ymax'],
  [['dnn', '--layers', '.', '--input', 'x.mtx', '--bias', '1e39'], '--bias'],
  [['spmm', '--matrix', 'a.mtx', '--out', 'y.json', '--batch', '1e8'], '--batch'],
  [['spmm', '--matrix', 'a.mtx', '--out', 'y.json', '--batch', '100000'], '--batch'],
  [['info', '--backend', 'constructor'], '--backend'],
  [['constructor'], 'unknown command'],
  [['__proto__'], 'unknown command'],
];

/** Hostile strings dropped into a random flag of a random command. */
const HOSTILE_VALUES = [
  '',
  ' ',
  ',',
  '-1',
  '0',
  '1e39',
  'NaN',
  'Infinity',
  '__proto__',
  '1/0',
  '0x10',
  '٣',
  'x'.repeat(5000),
];
const FLAG_TARGETS: [string[], string][] = [
  [['bench', '--backend', 'cpu'], '--samples'],
  [['bench', '--backend', 'cpu'], '--densities'],
  [['bench', '--backend', 'cpu'], '--batches'],
  [['run', '--model', 'tiny', '--backend', 'cpu', '--tokens', '1'], '--density'],
  [['run', '--model', 'tiny', '--backend', 'cpu', '--tokens', '1'], '--generate'],
  [['spmm', '--matrix', 'a.mtx', '--out', 'y.json', '--backend', 'cpu'], '--batch'],
  [['dnn', '--layers', '.', '--input', 'a.mtx', '--backend', 'cpu'], '--ymax'],
];

const SMALL_MTX = `${HEADER}3 2 2\n1 1 1.5\n3 2 -2\n`;
/** Finite inputs whose product overflows float32: must be an error, not a JSON null. */
const OVERFLOW_MTX = `${HEADER}1 2 2\n1 1 3e38\n1 2 3e38\n`;

export function fuzzCases(seed: number, randomCount: number): FuzzCase[] {
  const rng = new Rng(seed);
  const pick = <T>(list: readonly T[]): T => list[rng.int(list.length)];
  const cases: FuzzCase[] = [];
  BAD_MTX.forEach(([mtx, names], i) => {
    const path = rng.int(2) === 0 ? 'sparse' : 'dense';
    cases.push({
      id: `mtx-${i}`,
      argv: ['spmm', '--matrix', 'a.mtx', '--out', 'y.json', '--backend', 'cpu', '--path', path],
      files: { 'a.mtx': mtx },
      names,
    });
  });
  for (const [i, [x, names]] of BAD_X.entries()) {
    cases.push({
      id: `x-${i}`,
      argv: ['spmm', '--matrix', 'a.mtx', '--x', 'x.json', '--out', 'y.json', '--backend', 'cpu'],
      files: { 'a.mtx': `${HEADER}1 2 1\n1 1 1\n`, 'x.json': x },
      names,
    });
  }
  for (const [i, [argv, names]] of BAD_FLAGS.entries()) {
    cases.push({
      id: `flag-${i}`,
      argv: argv.length > 1 && !argv.includes('--backend') ? [...argv, '--backend', 'cpu'] : argv,
      files: { 'a.mtx': SMALL_MTX },
      names,
    });
  }
  for (const [config, i] of [
    ['[1,2]', 0],
    ['null', 1],
    ['{}', 2],
    ['{"n_head": "x"}', 3],
    ['{"n_head": 0}', 4],
  ] as const) {
    cases.push({
      id: `config-${i}`,
      argv: ['run', '--model', 'model.safetensors', '--tokens', '1,2', '--backend', 'cpu'],
      files: { 'model.safetensors': { copy: FIXTURE }, 'config.json': config },
      names: 'config',
    });
  }
  cases.push({
    id: 'safetensors-header',
    argv: ['run', '--model', 'model.safetensors', '--tokens', '1', '--backend', 'cpu'],
    files: { 'model.safetensors': { bytes: [255, 255, 255, 255, 255, 255, 0, 0, 123, 125] } },
    names: 'model.safetensors',
  });
  // The dense-path reproductions: one stored entry, a dense copy of gigabytes.
  cases.push({
    id: 'dnn-dense-huge-layer',
    argv: ['dnn', '--layers', '.', '--input', 'images.mtx', '--path', 'dense', '--backend', 'cpu'],
    files: {
      'n20000-l1.mtx': `${HEADER}20000 20000 1\n1 1 2\n`,
      'images.mtx': `${HEADER}2 20000 1\n1 1 1\n`,
    },
    names: 'denseElements',
  });
  cases.push({
    id: 'dnn-wide-activations',
    argv: ['dnn', '--layers', '.', '--input', 'images.mtx', '--backend', 'cpu'],
    files: {
      'n16777216-l1.mtx': `${HEADER}16777216 16777216 1\n1 1 2\n`,
      'images.mtx': `${HEADER}16777216 16777216 1\n1 1 1\n`,
    },
    names: 'denseElements',
  });
  cases.push({
    id: 'spmm-dense-huge',
    argv: [
      'spmm',
      '--matrix',
      'a.mtx',
      '--path',
      'dense',
      '--batch',
      '2',
      '--out',
      'y.json',
      '--backend',
      'cpu',
    ],
    files: { 'a.mtx': `${HEADER}50000 50000 1\n1 1 2\n` },
    names: 'denseElements',
  });
  cases.push({
    id: 'overflow',
    argv: ['spmm', '--matrix', 'a.mtx', '--out', 'y.json', '--backend', 'cpu', '--x', 'x.json'],
    files: { 'a.mtx': OVERFLOW_MTX, 'x.json': '[[3e38],[3e38]]' },
    names: 'not finite',
  });
  // Valid runs: they may exit 0, and then every number they write must be finite.
  const ok = (id: string, argv: string[], files: FuzzCase['files']) =>
    cases.push({ id, argv, files, names: '', mayPass: true });
  ok('ok-spmm', ['spmm', '--matrix', 'a.mtx', '--out', 'y.json', '--backend', 'cpu', '--batch', '3'], {
    'a.mtx': SMALL_MTX,
  });
  ok(
    'ok-run',
    [
      'run',
      '--model',
      'tiny',
      '--tokens',
      '1,2,3',
      '--density',
      '1/4',
      '--backend',
      'cpu',
      '--logits',
      'y.json',
    ],
    {},
  );
  for (let i = 0; i < randomCount; i++) {
    const [argv, name] = pick(FLAG_TARGETS);
    const value = pick(HOSTILE_VALUES);
    cases.push({
      id: `random-${i}`,
      argv: [...argv, `${name}=${value}`],
      files: { 'a.mtx': pick([SMALL_MTX, ...BAD_MTX.map(([m]) => m)]) },
      names: name,
      mayPass: true, // a value that happens to be valid may run; a failure must name the flag
    });
  }
  return cases;
}
