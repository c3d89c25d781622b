// One step of `bench-gpu`: the same CLI in a child process (its normal entry point, bin/sparsescope.mjs or
// the bundle), its output passed through to stderr as it comes, stopped at a deadline.
import { spawn } from 'node:child_process';

export interface StepRun {
  exitCode: number | null;
  /** Stopped at the deadline (SIGTERM, then SIGKILL 3 s later). */
  timedOut: boolean;
  seconds: number;
  stdout: string;
  /** The last ~2 kB of stdout and stderr together, for a failure's message. */
  tail: string;
}

/** Run `sparsescope <command> <args>` as a child of this process; never rejects. */
export function runCliStep(
  command: string,
  args: string[],
  timeoutS: number,
  entry = process.argv[1],
): Promise<StepRun> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, entry, command, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let tail = '';
    let timedOut = false;
    // Decoded by the streams, so a multi-byte character split across chunks (×, –) stays whole.
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    const keep = (text: string, isStdout: boolean) => {
      if (isStdout) stdout += text;
      tail = (tail + text).slice(-2000);
      process.stderr.write(text);
    };
    child.stdout.on('data', (c: string) => keep(c, true));
    child.stderr.on('data', (c: string) => keep(c, false));
    let killer: NodeJS.Timeout | undefined;
    const timer = setTimeout(
      () => {
        timedOut = true;
        child.kill('SIGTERM');
        killer = setTimeout(() => child.kill('SIGKILL'), 3000);
      },
      Math.max(0, timeoutS * 1000),
    );
    const done = (exitCode: number | null) => {
      clearTimeout(timer);
      clearTimeout(killer);
      resolve({ exitCode, timedOut, seconds: (performance.now() - t0) / 1000, stdout, tail });
    };
    child.on('error', (err) => {
      tail += `\n${err.message}`;
      done(null);
    });
    child.on('close', (code) => done(code));
  });
}

/** The last non-empty lines of a step's output, for the report (progress lines with \r dropped). */
export function lastLines(text: string, count = 3): string {
  return text
    .split(/\r|\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-count)
    .join(' / ')
    .slice(0, 500);
}
