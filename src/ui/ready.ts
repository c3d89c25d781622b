// `window.sparsescope.ready`: settles once the first model has loaded and rendered — or could not load —
// so automation never waits forever. Bad URL parameters are shown in the error banner once the start is
// done (the banner is cleared as each queued task starts, so earlier would be lost).
import type { AppRunner } from './runner';

export function firstReady(
  firstRender: Promise<void>,
  runner: AppRunner,
  urlErrors: string[],
): Promise<void> {
  let loadError: string | null = null;
  const showError = runner.showError.bind(runner);
  runner.showError = (message) => {
    loadError ??= message;
    showError(message);
  };
  const started = runner.start().then(() => {
    runner.showError = showError;
    if (urlErrors.length > 0) {
      const shown = [loadError, `URL parameters: ${urlErrors.join('; ')}`].filter(Boolean).join(' · ');
      showError(shown);
    }
  });
  const ready = new Promise<void>((resolve, reject) => {
    void firstRender.then(resolve);
    void started.then(() => {
      // A run that produced a result renders it; anything else means the first model did not load.
      if (!runner.last && loadError) reject(new Error(loadError));
    });
  });
  ready.catch(() => {}); // a caller that never asks must not see an unhandled rejection
  return ready;
}
