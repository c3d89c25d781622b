// Where the CLI keeps its tuned kernel choices: a JSON file in the user's cache directory,
// $XDG_CACHE_HOME/sparsescope/tuning.json, else ~/.cache/sparsescope/tuning.json. Written whole to a
// temporary file and renamed, so an interrupted write never leaves half a file. (The format and what a
// corrupt file does: src/gpu/autotune/cache.ts; this module only reads and writes the text.)
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
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

/** A string slot backed by `path` (TuningStore): null when the file does not exist yet. */
export function tuningFileStore(path: string): {
  where: string;
  read(): string | null;
  write(text: string): void;
} {
  return {
    where: path,
    read() {
      try {
        return readFileSync(path, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
    },
    write(text) {
      mkdirSync(dirname(path), { recursive: true });
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, text);
      renameSync(tmp, path);
    },
  };
}
