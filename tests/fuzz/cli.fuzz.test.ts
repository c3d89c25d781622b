// The bounded, seeded fuzz tier of the CLI (issue 14): hostile files, values and flags through the real
// command line, in spawned processes under a memory limit and a timeout. For every case: no exit 0 with
// a non-finite or null output, no raw stack trace, no process over the memory limit, every message under
// 1 KB and naming the input it is about.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type FuzzCase, fuzzCases } from './cases';

const SEED = Number(process.env.SPARSESCOPE_FUZZ_SEED ?? 14);
const RANDOM_CASES = 24;
const BATCHES = 2; // processes; each runs its share of the cases in turn
const MEMORY_LIMIT_MIB = 1536; // data segment limit of each process (prlimit --data), and the RSS bound
// A bound on a runaway process, not a performance target: ~10 s is normal, a loaded machine takes several times that.
const TIMEOUT_MS = 240_000;

interface CaseResult {
  id: string;
  status: number | undefined;
  thrown: string | null;
  stdout: string;
  stderr: string;
  stderrLength: number;
  maxRssMiB: number;
}

function writeCase(root: string, c: FuzzCase): string {
  const dir = join(root, c.id);
  mkdirSync(dir);
  for (const [name, content] of Object.entries(c.files)) {
    if (typeof content === 'string') writeFileSync(join(dir, name), content);
    else if ('copy' in content) copyFileSync(content.copy, join(dir, name));
    else writeFileSync(join(dir, name), new Uint8Array(content.bytes));
  }
  return dir;
}

/** Numbers written by a run that exited 0: JSON files in its folder must hold no null (JSON's NaN/Infinity). */
function nonFiniteOutputs(dir: string, c: FuzzCase): string[] {
  const bad: string[] = [];
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.json') || name in c.files) continue;
    const text = readFileSync(join(dir, name), 'utf8');
    if (/\bnull\b|NaN|Infinity/.test(text)) bad.push(name);
  }
  return bad;
}

describe(`CLI fuzz tier (seed ${SEED})`, () => {
  const root = mkdtempSync(join(tmpdir(), 'sparsescope-fuzz-'));
  const cases = fuzzCases(SEED, RANDOM_CASES);
  const dirs = new Map(cases.map((c) => [c.id, writeCase(root, c)]));
  const results = new Map<string, CaseResult>();
  const batchStatus: string[] = [];

  it(
    'every batch finishes within the time and memory limits',
    () => {
      for (let b = 0; b < BATCHES; b++) {
        const mine = cases.filter((_, i) => i % BATCHES === b);
        const casesPath = join(root, `batch-${b}.json`);
        const resultsPath = join(root, `results-${b}.json`);
        writeFileSync(
          casesPath,
          JSON.stringify(mine.map((c) => ({ id: c.id, dir: dirs.get(c.id), argv: c.argv }))),
        );
        const child = spawnSync(
          'prlimit',
          [
            `--data=${MEMORY_LIMIT_MIB * 2 ** 20}`,
            process.execPath,
            'tests/fuzz/runCases.mjs',
            casesPath,
            resultsPath,
          ],
          { timeout: TIMEOUT_MS, encoding: 'utf8', env: { ...process.env, SPARSESCOPE_FUZZ: '1' } },
        );
        const done: CaseResult[] = existsSync(resultsPath)
          ? JSON.parse(readFileSync(resultsPath, 'utf8'))
          : [];
        for (const r of done) results.set(r.id, r);
        const next = mine[done.length]?.id ?? '(none)';
        batchStatus.push(
          `batch ${b}: exit ${child.status} signal ${child.signal}, ${done.length}/${mine.length} done, next ${next}`,
        );
        expect(child.error, `batch ${b} (stopped at case ${next}): ${child.error}`).toBeUndefined();
        expect(child.status, `batch ${b} stopped at case ${next}: ${child.stderr.slice(-2000)}`).toBe(0);
        expect(done.length).toBe(mine.length);
      }
    },
    2 * BATCHES * TIMEOUT_MS,
  );

  it('no exit 0 with a bad output, no stack trace, short messages that name the input', () => {
    expect(results.size, batchStatus.join('\n')).toBe(cases.length);
    const failures: string[] = [];
    const check = (ok: boolean, problem: string, what: string) => {
      if (!ok) failures.push(`${problem} — ${what}`);
    };
    for (const c of cases) {
      const r = results.get(c.id)!;
      const what = `${c.id} (${c.argv.join(' ').slice(0, 200)}): exit ${r.status}: ${r.stderr.slice(0, 600)}`;
      check(r.thrown === null, `threw ${r.thrown?.slice(0, 300)}`, what);
      check(!/^\s+at .+:\d+:\d+\)?$/m.test(r.stderr), 'stack trace', what);
      check(r.maxRssMiB < MEMORY_LIMIT_MIB, `peak RSS ${r.maxRssMiB} MiB`, what);
      if (r.status === 0) {
        check(c.mayPass === true, 'exited 0 on an input that must be refused', what);
        check(nonFiniteOutputs(dirs.get(c.id)!, c).length === 0, 'null/NaN in an output file', what);
        check(!/\bNaN\b|Infinity/.test(r.stdout), 'NaN/Infinity printed', what);
        continue;
      }
      const messages = r.stderr.split('\n').filter((l) => l.startsWith('sparsescope'));
      check(messages.length > 0, 'no sparsescope message', what);
      check(
        messages.every((m) => m.length < 1024),
        'a message over 1 KB',
        what,
      );
      check(r.stderrLength < 4096, `stderr of ${r.stderrLength} characters`, what);
      check(messages.join('\n').includes(c.names), `message does not name ${JSON.stringify(c.names)}`, what);
    }
    expect(failures).toEqual([]);
  });
});
