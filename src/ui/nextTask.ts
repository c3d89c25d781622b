// Splitting long main-thread jobs: each await ends the current task, so input, rendering and the
// workers' replies get handled between the steps (no task over ~50 ms while a run is shown).

let splits = 0;

/** How many times a job yielded to the page so far (tests check that long jobs are split). */
export function taskSplits(): number {
  return splits;
}

/** Resolves in a new task (a message to ourselves: unlike setTimeout, never clamped to 4 ms). */
export function nextTask(): Promise<void> {
  splits++;
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/** Resolves once the promise `current()` names has settled and no newer one has replaced it meanwhile. */
export async function untilSettled(current: () => Promise<unknown>): Promise<void> {
  let seen: Promise<unknown>;
  do {
    seen = current();
    await seen;
  } while (seen !== current());
}

/**
 * Resolves after `count` animation frames, or after `count` × 250 ms where frames do not come (a hidden
 * tab), so nothing waiting on it can hang.
 */
export function afterFrames(count: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 250 * count);
    const step = (left: number) => {
      if (left === 0) {
        clearTimeout(timer);
        resolve();
      } else requestAnimationFrame(() => step(left - 1));
    };
    step(count);
  });
}
