// The panel's settings and last report in localStorage, so results survive a reload. Pure apart from the
// storage object passed in; a corrupt or foreign entry is ignored (never throws), a full quota is reported.
import { validateReport } from '../../bench/report';
import type { PanelReport } from './caveats';
import { BACKENDS, type BackendChoice, type BenchSettings, DEFAULT_SETTINGS } from './params';

export const STORAGE_KEY = 'sparsescope.bench/1';

export interface SavedState {
  settings: BenchSettings;
  report: PanelReport | null;
}

/** The part of Storage this module uses (tests pass a Map-backed one). */
export type KeyValueStore = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export function serializeState(state: SavedState): string {
  return JSON.stringify({ version: 1, settings: state.settings, report: state.report });
}

function readSettings(value: unknown): BenchSettings {
  const s = { ...DEFAULT_SETTINGS };
  if (!value || typeof value !== 'object') return s;
  const v = value as Record<string, unknown>; // JSON from storage: each field checked below
  if (typeof v.shapes === 'string') s.shapes = v.shapes;
  if (typeof v.densities === 'string') s.densities = v.densities;
  if (typeof v.batches === 'string') s.batches = v.batches;
  if (typeof v.backend === 'string' && BACKENDS.includes(v.backend as BackendChoice)) {
    s.backend = v.backend as BackendChoice;
  }
  if (typeof v.samples === 'number' && Number.isInteger(v.samples) && v.samples >= 1) s.samples = v.samples;
  if (typeof v.naive === 'boolean') s.naive = v.naive;
  if (typeof v.seed === 'number' && Number.isInteger(v.seed)) s.seed = v.seed;
  return s;
}

/** Parses what serializeState wrote; null for anything else. Settings fields are checked one by one. */
export function deserializeState(text: string | null): SavedState | null {
  if (!text) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  if (!raw || typeof raw !== 'object' || (raw as { version?: unknown }).version !== 1) return null;
  const { settings, report } = raw as { settings?: unknown; report?: unknown };
  let checked: PanelReport | null = null;
  if (report) {
    try {
      const base = validateReport(report);
      const caveats = (report as { caveats?: unknown }).caveats;
      checked = {
        ...base,
        environment: base.environment,
        caveats: Array.isArray(caveats) ? caveats.filter((c) => typeof c === 'string') : [],
      };
    } catch {
      checked = null;
    }
  }
  return { settings: readSettings(settings), report: checked };
}

export function loadState(store: KeyValueStore | null): SavedState | null {
  try {
    return deserializeState(store?.getItem(STORAGE_KEY) ?? null);
  } catch {
    return null; // storage disabled (privacy mode, sandboxed frame)
  }
}

/** Returns an error message when the browser refused to store it (quota, disabled storage), else null. */
export function saveState(store: KeyValueStore | null, state: SavedState): string | null {
  if (!store) return 'localStorage is not available';
  try {
    store.setItem(STORAGE_KEY, serializeState(state));
    return null;
  } catch (err) {
    return `could not save results: ${err instanceof Error ? err.message : String(err)}`;
  }
}
