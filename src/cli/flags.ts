// Strict flags: each command declares the flags it takes in one table next to the command; anything
// else on its command line is an error (with "did you mean --density?"), and every value is checked by
// the shared validator (src/params/values.ts) before the command runs. Values come back normalized as
// strings (a density "1/64" as "0.015625"), so stringFlag/numberFlag/numberListFlag read them as before.
import { closest, quote } from '../params/quote';
import { describeKind, KINDS, ParamError, parseValue, type ValueKind } from '../params/values';
import { type ParsedArgs, UsageError } from './args';

type FlagSpec = (ValueKind | { type: 'boolean' }) & { help?: string };
export type FlagTable = Readonly<Record<string, FlagSpec>>;

/** Builders for flag tables: `{ density: flag.density(), detail: flag.bool(), samples: flag.int(1, 200) }`. */
export const flag = {
  bool: (help?: string): FlagSpec => ({ type: 'boolean', help }),
  text: (help?: string): FlagSpec => ({ type: 'text', help }),
  number: (min?: number, max?: number, help?: string): FlagSpec => ({ type: 'number', min, max, help }),
  int: (min: number, max: number, help?: string): FlagSpec => ({ type: 'int', min, max, help }),
  density: (help?: string): FlagSpec => ({ ...KINDS.density, help }),
  densities: (help?: string): FlagSpec => ({ ...KINDS.densities, help }),
  seed: (help?: string): FlagSpec => ({ ...KINDS.seed, help }),
  choice: (choices: readonly string[], help?: string): FlagSpec => ({ type: 'choice', choices, help }),
  ints: (min: number, max: number, maxItems?: number, help?: string): FlagSpec => ({
    type: 'list',
    item: { type: 'int', min, max },
    maxItems,
    help,
  }),
  backend: (): FlagSpec => ({
    ...KINDS.backend,
    help: 'default webgpu (falls back to the CPU with a message)',
  }),
};

/** Flags every command takes. */
const ALWAYS: FlagTable = { help: flag.bool('this help') };

/**
 * Re-read the command line against `table`: unknown flags, stray words, repeated flags, missing values and
 * bad values are UsageErrors naming the flag. Returns the parsed arguments with normalized values.
 */
export function strictFlags(args: ParsedArgs, table: FlagTable): ParsedArgs {
  const specs = new Map(Object.entries({ ...ALWAYS, ...table }));
  const argv = args.argv ?? [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h') {
      flags.set('help', true);
      continue;
    }
    if (!arg.startsWith('--')) {
      throw new UsageError(
        arg.startsWith('-') && !/^-[\d.]/.test(arg)
          ? `unknown option ${quote(arg)}: flags start with --`
          : `unexpected argument ${quote(arg)} (every value follows its --flag)`,
      );
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    const spec = specs.get(name);
    if (!spec) {
      const guess = closest(name, specs.keys());
      throw new UsageError(
        `unknown flag --${quote(name).slice(1, -1)}${guess ? `; did you mean --${guess}?` : ''} (known: ${[...specs.keys()].map((k) => `--${k}`).join(' ')})`,
      );
    }
    if (flags.has(name)) throw new UsageError(`--${name} is given twice`);
    if (spec.type === 'boolean') {
      if (eq > 0) throw new UsageError(`--${name} is a switch and takes no value`);
      flags.set(name, true);
      continue;
    }
    let text: string;
    if (eq > 0) text = arg.slice(eq + 1);
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) text = argv[++i];
    else throw new UsageError(`--${name} needs a value (${describeKind(spec)})`);
    flags.set(name, normalize(name, text, spec));
  }
  // --help: the table's flags, unless the command prints its own usage (its table lists `help`).
  if (flags.has('help') && !Object.hasOwn(table, 'help')) throw new HelpRequested(flagUsage(table));
  return { positional: [], flags, argv };
}

/** `--help` on a command: main prints the message on stdout and exits 0. */
export class HelpRequested extends Error {
  override name = 'HelpRequested';
}

function normalize(name: string, text: string, spec: ValueKind): string {
  try {
    const value = parseValue(`--${name}`, text, spec);
    return Array.isArray(value) ? value.join(',') : String(value);
  } catch (err) {
    if (err instanceof ParamError) throw new UsageError(err.message);
    throw err;
  }
}

/** Usage lines for a table: `  --density   a density in (0, 1], e.g. 0.25 or 1/64 — help`. */
function flagUsage(table: FlagTable): string {
  const width = Math.max(...Object.keys(table).map((k) => k.length)) + 2;
  return Object.entries(table)
    .map(([name, spec]) => {
      const what = spec.type === 'boolean' ? 'switch' : describeKind(spec);
      return `  --${name.padEnd(width)} ${what}${spec.help ? ` — ${spec.help}` : ''}`;
    })
    .join('\n');
}
