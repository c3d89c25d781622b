// Where the CLI keeps its tuned kernel choices: a JSON file in the user's cache directory,
// $XDG_CACHE_HOME/sparsescope/tuning.json, else ~/.cache/sparsescope/tuning.json. Written whole to a
// temporary file and renamed, so an interrupted write never leaves half a file;
// entries another process saved meanwhile are merged in just before the rename. (The format and what a
// corrupt file does: src/gpu/autotune/cache.ts; this module only reads and writes the text.)
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** The cache file for an environment and home directory (both injectable, so tests never touch the real home). */
export function tuningCachePath(
  env: Record<string, string | undefined> = process.env,
  home = homedir(),
): string {
  const xdg = env.XDG_CACHE_HOME;
  const base = xdg?.startsWith('/') ? xdg : join(home, '.cache');
  return join(base, 'sparsescope', 'tuning.json');
}

/**
 * A string slot backed by `path` (TuningStore): null when the file does not exist yet. `merge(current,
 * text)` runs on what the file holds just before each write, so two processes saving at once keep each
 * other's entries (the window left is the write of the temporary file, not a whole tuning run).
 */
export function tuningFileStore(
  path: string,
  merge: (current: string | null, text: string) => string = (_current, text) => text,
): {
  where: string;
  read(): string | null;
  write(text: string): void;
} {
  const read = (): string | null => {
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  };
  return {
    where: path,
    read,
    write(text) {
      mkdirSync(dirname(path), { recursive: true });
      // A name no other process (or other write of this one) uses; removed when the write fails.
      const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        writeFileSync(tmp, merge(read(), text));
        renameSync(tmp, path);
      } catch (err) {
        rmSync(tmp, { force: true });
        throw err;
      }
    },
  };
}
