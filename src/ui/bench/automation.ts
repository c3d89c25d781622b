// What headless automation sees: the report merged into window.sparsescope (the app's API object is kept,
// never replaced) and events on window — 'sparsescope:bench-done' (detail: the report) and
// 'sparsescope:bench-error' (detail: { message }).
import type { PanelReport } from './caveats';

type Published = { bench?: PanelReport; benchError?: string; benchRunning?: boolean };

function published(): Published {
  // The app types window.sparsescope as its own API; the panel only adds these three fields to it.
  const w = window as unknown as { sparsescope?: Published };
  w.sparsescope ??= {};
  return w.sparsescope;
}

export function publishRunning(running: boolean): void {
  published().benchRunning = running;
}

export function publishReport(report: PanelReport): void {
  const api = published();
  api.bench = report;
  delete api.benchError;
  window.dispatchEvent(new CustomEvent('sparsescope:bench-done', { detail: report }));
}

export function publishError(message: string): void {
  published().benchError = message;
  window.dispatchEvent(new CustomEvent('sparsescope:bench-error', { detail: { message } }));
}

/**
 * Waits (at most 15 s) for the app's first render, so an automated sweep does not share the adapter with
 * the scene being built. The app's API object is optional: the panel also works on a bare page.
 */
export async function appSettled(): Promise<void> {
  const api = (window as unknown as { sparsescope?: { ready?: unknown } }).sparsescope;
  if (!(api?.ready instanceof Promise)) return;
  await Promise.race([api.ready.catch(() => undefined), new Promise((r) => setTimeout(r, 15_000))]);
}
