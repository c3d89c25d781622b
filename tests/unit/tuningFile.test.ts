// The CLI's tuning cache file: its path follows XDG_CACHE_HOME (else ~/.cache), and through the cache
// module a missing file is empty, a saved table comes back, and a corrupt file is ignored with a warning.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTuning, saveTuning } from '../../src/gpu/autotune/cache';
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
});
