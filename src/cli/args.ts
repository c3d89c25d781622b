// Minimal flag parsing for the CLI: `--name value`, `--flag`, and positional words.

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface ParsedArgs {
  positional: string[];
  flags: Map<string, string | true>;
  /** The command line as given (after the command name): strictFlags re-reads it against a flag table. */
  argv?: string[];
}

export function parseArgs(argv: string[]): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      if (eq > 0) {
        flags.set(arg.slice(2, eq), arg.slice(eq + 1));
      } else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) {
        flags.set(arg.slice(2), argv[++i]);
      } else {
        flags.set(arg.slice(2), true);
      }
    } else {
      positional.push(arg);
    }
  }
  return { positional, flags, argv };
}

export function stringFlag(args: ParsedArgs, name: string, fallback?: string): string | undefined {
  const v = args.flags.get(name);
  if (v === true) throw new UsageError(`--${name} needs a value`);
  return v ?? fallback;
}

export function numberFlag(args: ParsedArgs, name: string, fallback: number): number {
  const v = stringFlag(args, name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got "${v}"`);
  return n;
}

/** Comma-separated numbers; fractions like 1/64 are accepted. */
export function numberListFlag(args: ParsedArgs, name: string, fallback: number[]): number[] {
  const v = stringFlag(args, name);
  if (v === undefined) return fallback;
  return v.split(',').map((part, i) => {
    if (part.trim() === '') throw new UsageError(`--${name}: item ${i + 1} of "${v.slice(0, 200)}" is empty`);
    const [num, den] = part.split('/');
    const n = den === undefined ? Number(num) : Number(num) / Number(den);
    if (!Number.isFinite(n)) throw new UsageError(`--${name}: "${part}" is not a number`);
    return n;
  });
}

export function choiceFlag<T extends string>(
  args: ParsedArgs,
  name: string,
  choices: readonly T[],
  fallback: T,
): T {
  const v = stringFlag(args, name, fallback) as string;
  if (!(choices as readonly string[]).includes(v)) {
    throw new UsageError(`--${name} must be one of ${choices.join(', ')}; got "${v}"`);
  }
  return v as T;
}
