// The CLI's tuning cache file: its path follows XDG_CACHE_HOME (else ~/.cache), and through the cache
// module a missing file is empty, a saved table comes back, and a corrupt file is ignored with a warning.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTuning, mergeCacheText, saveTuning } from '../../src/gpu/autotune/cache';
import { tuningCachePath, tuningFileStore } from '../../src/node/tuningFile';

const dir = mkdtempSync(join(tmpdir(), 'sparsescope-tuning-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tuning cache file', () => {
  it('lives under XDG_CACHE_HOME, else ~/.cache', () => {
    expect(tuningCachePath({ XDG_CACHE_HOME: '/x/cache' }, '/home/u')).toBe(
      '/x/cache/sparsescope/tuning.json',
    );
    expect(tuningCachePath({}, '/home/u')).toBe('/home/u/.cache/sparsescope/tuning.json');
    // The XDG spec ignores a relative path.
    expect(tuningCachePath({ XDG_CACHE_HOME: 'rel' }, '/home/u')).toBe(
      '/home/u/.cache/sparsescope/tuning.json',
    );
  });

  it('round-trips through a file, and a corrupt file is ignored with a warning', () => {
    const path = tuningCachePath({ XDG_CACHE_HOME: dir });
    const store = tuningFileStore(path);
    const warnings: string[] = [];
    expect(loadTuning(store, 'k', (m) => warnings.push(m))).toBeNull();
    saveTuning(store, 'a:1', {}, 'test adapter', (m) => warnings.push(m));
    expect(JSON.parse(readFileSync(path, 'utf8')).entries['a:1'].adapter).toBe('test adapter');
    expect(loadTuning(store, 'a:1', (m) => warnings.push(m))).toEqual({});
    expect(warnings).toEqual([]);
    writeFileSync(path, '\u0000garbage');
    expect(loadTuning(store, 'a:1', (m) => warnings.push(m))).toBeNull();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(path);
  });

  it('a save merges entries another process wrote since it read (other adapters kept, old versions dropped)', () => {
    const path = join(dir, 'merge', 'tuning.json');
    const store = tuningFileStore(path, mergeCacheText);
    saveTuning(store, 'b:1', {}, 'adapter b', () => {});
    saveTuning(store, 'a:1', {}, 'adapter a', () => {});
    // A process that read the file before both saves writes its own table: a:2 (adapter a, newer kernels).
    const stale = tuningFileStore(path, mergeCacheText);
    stale.read = () => null;
    saveTuning(stale, 'a:2', {}, 'adapter a', () => {});
    expect(Object.keys(JSON.parse(readFileSync(path, 'utf8')).entries).sort()).toEqual(['a:2', 'b:1']);
    // Without the merge the last writer would have overwritten b:1.
    expect(readdirSync(join(dir, 'merge'))).toEqual(['tuning.json']);
  });

  it('a failed write removes its temporary file and is reported', () => {
    const sub = join(dir, 'fail');
    const path = join(sub, 'tuning.json');
    mkdirSync(join(path, 'in-the-way'), { recursive: true }); // a non-empty folder where the file goes
    const warnings: string[] = [];
    saveTuning(tuningFileStore(path, mergeCacheText), 'a:1', {}, 'a', (m) => warnings.push(m));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('could not be written');
    expect(readdirSync(sub)).toEqual(['tuning.json']);
  });
});
