// Where a layered network's Matrix Market texts come from: the built-in Graph Challenge example (served
// by vite.config.ts's dataset plugin from ../shared/data/graph-challenge-dnn, and copied into the build so
// it works offline) or files the person picked (several .mtx files, or a folder).

import type { DnnFiles, NamedBlob } from '../../engine/dnn/loader';
import { layerNumber } from '../../model/dnn';
import type { WorkloadProgress } from './workload';

export type DnnSource =
  | { kind: 'builtin' }
  /** `images` / `truth`: an explicit pick; otherwise found among `files` by name. */
  | { kind: 'files'; files: File[]; images?: File; truth?: File };

/** URL folder of the built-in example, under the app's base. */
const BUILTIN_DNN_PATH = 'datasets/graph-challenge-dnn/';
const BUILTIN_DNN_LAYERS = 30;
const BUILTIN_DNN_FILES = {
  layers: Array.from({ length: BUILTIN_DNN_LAYERS }, (_, l) => `n1024-l${l + 1}.mtx`),
  images: 'sparse-images-1024_subset.mtx',
  truth: 'neuron1024-l120-categories_subset.mtx',
};

class DnnSourceError extends Error {
  override name = 'DnnSourceError';
}

export interface DnnFileRoles<T> {
  layers: T[];
  images?: T;
  truth?: T;
  /** Files that are none of these (a README, another format): listed, not read. */
  ignored: T[];
}

/**
 * Sorts picked files into roles by name: 'categor…' → truth, '…images…' → input, a layer number
 * (`n1024-l7.mtx`, `layer_3.mtx`) → a layer; non-.mtx files are ignored. An .mtx file that is none of
 * these is an error (a folder with another matrix in it is ambiguous; say which file).
 */
export function classifyDnnFiles<T extends { name: string }>(files: readonly T[]): DnnFileRoles<T> {
  const roles: DnnFileRoles<T> = { layers: [], ignored: [] };
  const once = (role: 'images' | 'truth', file: T) => {
    const taken = roles[role];
    if (taken) throw new DnnSourceError(`two ${role} files: ${taken.name} and ${file.name}; pick one`);
    roles[role] = file;
  };
  for (const file of files) {
    const base = (file.name.split(/[\\/]/).pop() ?? file.name).toLowerCase();
    if (!base.endsWith('.mtx')) roles.ignored.push(file);
    else if (base.includes('categor')) once('truth', file);
    else if (base.includes('images')) once('images', file);
    else if (layerNumber(base) !== null) roles.layers.push(file);
    else {
      throw new DnnSourceError(
        `${file.name}: not a layer (no layer number such as "-l7" before .mtx), images or categories file`,
      );
    }
  }
  if (roles.layers.length === 0) {
    throw new DnnSourceError(
      `no layer files among ${files.length} picked (expected names such as "n1024-l1.mtx" … "n1024-l30.mtx")`,
    );
  }
  return roles;
}

/**
 * The files' bytes, not their text: the worker reads and parses them (src/engine/dnn/loader.ts), so the main thread never
 * holds or copies 14 MB of text. Built-in: one fetch per file with progress; picked: the Files as they are.
 */
export async function collectDnnFiles(source: DnnSource, progress: WorkloadProgress): Promise<DnnFiles> {
  if (source.kind === 'builtin') return fetchBuiltin(progress);
  const roles = classifyDnnFiles(source.files);
  const named = (f: File): NamedBlob => ({ name: f.name, blob: f });
  const images = source.images ?? roles.images;
  const truth = source.truth ?? roles.truth;
  const ignored = roles.ignored.length ? ` (ignored: ${roles.ignored.map((f) => f.name).join(', ')})` : '';
  progress(
    1,
    `${roles.layers.length} layer files${images ? ', images' : ''}${truth ? ', truth' : ''}${ignored}`,
  );
  return {
    layers: roles.layers.map(named),
    images: images && named(images),
    truth: truth && named(truth),
  };
}

async function fetchBuiltin(progress: WorkloadProgress): Promise<DnnFiles> {
  const base = `${import.meta.env.BASE_URL}${BUILTIN_DNN_PATH}`;
  const names = [...BUILTIN_DNN_FILES.layers, BUILTIN_DNN_FILES.images, BUILTIN_DNN_FILES.truth];
  const files: NamedBlob[] = [];
  for (const [i, name] of names.entries()) {
    progress(i / names.length, `fetching ${name} (${i + 1}/${names.length})`);
    let response: Response;
    try {
      response = await fetch(`${base}${name}`);
    } catch (err) {
      throw new DnnSourceError(`${base}${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (!response.ok) {
      // The dev/preview server's 404 names the folder it looked in (vite.config.ts).
      const detail = (await response.text()).slice(0, 300).trim();
      throw new DnnSourceError(`${base}${name}: HTTP ${response.status}${detail ? ` — ${detail}` : ''}`);
    }
    files.push({ name, blob: await response.blob() });
  }
  progress(1, 'fetched');
  const layers = files.slice(0, BUILTIN_DNN_LAYERS);
  return { layers, images: files[BUILTIN_DNN_LAYERS], truth: files[BUILTIN_DNN_LAYERS + 1] };
}
