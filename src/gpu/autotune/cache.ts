// Tuned choices cached per adapter and per kernel-source version. The key hashes the adapter's identity
// (vendor, architecture, device, description, fallback, subgroup sizes, the limits the candidates depend
// on) and the kernel version (the expanded WGSL of every tuned shader and a fingerprint of the candidate lists), so
// a new driver-reported adapter or a changed kernel misses. The store is a string slot: localStorage in
// the browser (localStorageStore), a JSON file for the CLI (src/node/tuningFile.ts). A cache that cannot
// be read or parsed is ignored with a warning and rewritten on the next save — never a crash.
import gemvCode from '../../../shaders/matmul_gemv.wgsl?raw';
import tiledCode from '../../../shaders/matmul_tiled.wgsl?raw';
import batchedCode from '../../../shaders/spmm_csr_batched.wgsl?raw';
import subgroupCode from '../../../shaders/spmm_csr_subgroup.wgsl?raw';
import workgroupCode from '../../../shaders/spmm_csr_workgroup.wgsl?raw';
import type { GpuContext } from '../context';
import { candidatesFingerprint } from './candidates';
import type { TunedChoice, TuningTable } from './table';

const SCHEMA = 'sparsescope-tuning/1';

/** What identifies an adapter for tuning: a plain object (tests build their own). */
export interface AdapterIdentity {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean;
  subgroups: boolean;
  subgroupMinSize: number;
  subgroupMaxSize: number;
  limits: Record<string, number>;
}

/** The limits that bound the candidates (workgroup sizes and memory, grid). */
const TUNING_LIMITS = [
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupStorageSize',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupsPerDimension',
] as const;

export function adapterIdentity(ctx: GpuContext): AdapterIdentity {
  const sizes = ctx.adapter.info as { subgroupMinSize?: number; subgroupMaxSize?: number };
  return {
    vendor: ctx.info.vendor,
    architecture: ctx.info.architecture,
    device: ctx.info.device,
    description: ctx.info.description,
    isFallbackAdapter: ctx.info.isFallbackAdapter,
    subgroups: ctx.features.subgroups,
    subgroupMinSize: sizes.subgroupMinSize ?? 0,
    subgroupMaxSize: sizes.subgroupMaxSize ?? 0,
    limits: Object.fromEntries(TUNING_LIMITS.map((name) => [name, ctx.limits[name]])),
  };
}

/** FNV-1a, 32 bits, as 8 hex digits: a short stable fingerprint, not a security hash. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** The kernel-source version: tuned shaders (includes expanded) and the candidate lists (their fingerprint). */
export function kernelVersion(
  sources: readonly string[] = [tiledCode, gemvCode, subgroupCode, workgroupCode, batchedCode],
  candidates: string = candidatesFingerprint(),
): string {
  return `${fnv1a(sources.join('\n//--\n'))}.c${fnv1a(candidates)}`;
}

/** The cache slot of an adapter and kernel version. */
export function tuningCacheKey(identity: AdapterIdentity, version: string): string {
  const limits = Object.keys(identity.limits)
    .sort()
    .map((k) => `${k}=${identity.limits[k]}`);
  const { vendor, architecture, device, description, isFallbackAdapter, subgroups } = identity;
  const id: (string | number | boolean)[] = [
    vendor,
    architecture,
    device,
    description,
    isFallbackAdapter,
    subgroups,
  ];
  id.push(identity.subgroupMinSize, identity.subgroupMaxSize, ...limits);
  return `${fnv1a(JSON.stringify(id))}:${version}`;
}

/** A string slot the cache lives in. */
export interface TuningStore {
  /** Where (for messages): 'localStorage', a file path. */
  where: string;
  read(): string | null;
  write(text: string): void;
}

interface CacheEntry {
  adapter: string; // a label, for people reading the file
  saved: string; // ISO date
  table: TuningTable;
}

interface CacheFile {
  schema: typeof SCHEMA;
  entries: Record<string, CacheEntry>;
}

function isChoice(v: unknown): v is TunedChoice {
  const c = v as TunedChoice;
  return (
    typeof c === 'object' &&
    c !== null &&
    typeof c.batch === 'number' &&
    (c.how === 'tuned' || c.how === 'default') &&
    (c.reason === undefined || c.reason === 'budget') &&
    typeof c.choice === 'object' &&
    c.choice !== null &&
    (c.choice.family === 'dense' || c.choice.family === 'csr') &&
    typeof c.choice.variant === 'string' &&
    typeof c.choice.tuning === 'object'
  );
}

/** The whole cache, or an empty one (with a warning) when it is unreadable or malformed. */
function readCache(store: TuningStore, warn: (message: string) => void): CacheFile {
  const empty: CacheFile = { schema: SCHEMA, entries: {} };
  let text: string | null;
  try {
    text = store.read();
  } catch (err) {
    warn(`tuning cache (${store.where}) could not be read, ignored: ${(err as Error).message}`);
    return empty;
  }
  if (text === null) return empty;
  try {
    const parsed = JSON.parse(text) as CacheFile;
    if (parsed?.schema !== SCHEMA || typeof parsed.entries !== 'object' || parsed.entries === null) {
      throw new Error(`not a ${SCHEMA} file`);
    }
    for (const entry of Object.values(parsed.entries)) {
      if (typeof entry?.table !== 'object' || !Object.values(entry.table ?? {}).every(isChoice)) {
        throw new Error('an entry is malformed');
      }
    }
    return parsed;
  } catch (err) {
    warn(`tuning cache (${store.where}) is corrupt, ignored: ${(err as Error).message}`);
    return empty;
  }
}

/** The cached choices for `key`, or null. */
export function loadTuning(store: TuningStore, key: string, warn: (m: string) => void): TuningTable | null {
  return readCache(store, warn).entries[key]?.table ?? null;
}

/** Saves `table` under `key`; drops older kernel versions of the same adapter. Failures only warn. */
export function saveTuning(
  store: TuningStore,
  key: string,
  table: TuningTable,
  adapter: string,
  warn: (m: string) => void,
  now = new Date(),
): void {
  const cache = readCache(store, () => {});
  const adapterHash = key.split(':')[0];
  for (const old of Object.keys(cache.entries)) {
    if (old.split(':')[0] === adapterHash) delete cache.entries[old];
  }
  cache.entries[key] = { adapter, saved: now.toISOString(), table };
  try {
    store.write(`${JSON.stringify(cache, null, 1)}\n`);
  } catch (err) {
    warn(`tuning cache (${store.where}) could not be written: ${(err as Error).message}`);
  }
}

/**
 * `written` (a cache file's text) merged onto `current` (what the slot holds just before the write; another
 * process may have saved meanwhile): the written entries win, and current entries of other adapters are kept
 * (an older kernel version of a written adapter stays dropped). An unreadable `current` is replaced.
 */
export function mergeCacheText(current: string | null, written: string): string {
  const mine = readCache({ where: '', read: () => written, write: () => {} }, () => {});
  const theirs = readCache({ where: '', read: () => current, write: () => {} }, () => {});
  const adapters = new Set(Object.keys(mine.entries).map((k) => k.split(':')[0]));
  const kept = Object.entries(theirs.entries).filter(([k]) => !adapters.has(k.split(':')[0]));
  if (kept.length === 0) return written;
  const merged: CacheFile = { schema: SCHEMA, entries: { ...Object.fromEntries(kept), ...mine.entries } };
  return `${JSON.stringify(merged, null, 1)}\n`;
}

/** The browser's store: one localStorage item. */
export function localStorageStore(storage: Storage, item = 'sparsescope.tuning'): TuningStore {
  return {
    where: `localStorage['${item}']`,
    read: () => storage.getItem(item),
    write: (text) => storage.setItem(item, text),
  };
}
