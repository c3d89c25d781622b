// The temporary folder the test run's CLI tuning cache goes to ($XDG_CACHE_HOME for every test and every CLI
// a test spawns: no test writes to the real home), one per run, and the vitest global setup whose teardown
// removes it when the run ends.
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One folder per vitest run (the main process's pid), so concurrent runs never share a cache. */
export const testCacheDir = join(tmpdir(), `sparsescope-test-cache-${process.pid}`);

/** vitest globalSetup: nothing to set up; the teardown removes the run's cache folder. */
export default function setup(): () => void {
  return () => rmSync(testCacheDir, { recursive: true, force: true });
}
