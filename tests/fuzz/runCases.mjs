// Child process of the CLI fuzz tier: runs a batch of cases in-process through the CLI's `main`, each in
// its own folder with stdout/stderr captured, and writes one JSON record per case. The parent spawns it
// with a memory limit and a timeout (a case that blows either fails the whole batch, loudly).
// usage: node tests/fuzz/runCases.mjs cases.json results.json
import { readFileSync, writeFileSync } from 'node:fs';
import { register } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const repo = process.cwd();
const { register: registerTsx } = await import('tsx/esm/api');
registerTsx();
register(pathToFileURL(join(repo, 'bin', 'raw-hooks.mjs')));
const { main } = await import(pathToFileURL(join(repo, 'src', 'cli', 'main.ts')).href);

const [casesPath, resultsPath] = process.argv.slice(2);
const cases = JSON.parse(readFileSync(casesPath, 'utf8'));
const results = [];
const out = process.stdout.write.bind(process.stdout);
const err = process.stderr.write.bind(process.stderr);
for (const c of cases) {
  let stdout = '';
  let stderr = '';
  process.stdout.write = (chunk) => {
    stdout += String(chunk);
    return true;
  };
  process.stderr.write = (chunk) => {
    stderr += String(chunk);
    return true;
  };
  let status;
  let thrown = null;
  process.chdir(c.dir);
  try {
    status = await main(c.argv);
  } catch (e) {
    thrown = e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e);
  } finally {
    process.chdir(repo);
    process.stdout.write = out;
    process.stderr.write = err;
  }
  results.push({
    id: c.id,
    status,
    thrown,
    stdout: stdout.slice(0, 20_000),
    stderr: stderr.slice(0, 20_000),
    stderrLength: stderr.length,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
  });
  writeFileSync(resultsPath, JSON.stringify(results));
}
