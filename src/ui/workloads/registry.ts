// The models the app can open: built-ins by id (the ?model= values), and workloads made from user files.
import { DEFAULT_PROMPT } from '../appState';
import { findCspFiles } from './circuitSparsityFiles';
import { Gpt2Workload } from './gpt2';
import type { Workload } from './workload';

export const BUILTIN_MODELS: Record<string, string> = {
  'tiny pair, trained (default)': 'tiny-pair',
  'tiny GPT-2, synthetic': 'tiny',
  'GPT-2 small shape, synthetic (500 MB)': 'gpt2-small',
  'Graph Challenge sparse DNN': 'graph-challenge-dnn',
};

export const DEFAULT_INPUTS: Record<string, string> = {
  'graph-challenge-dnn': '280-311',
};

export async function createBuiltin(id: string): Promise<Workload> {
  switch (id) {
    case 'tiny-pair':
      return new Gpt2Workload(id, { kind: 'trained-pair', baseUrl: 'models/tiny-pair' }, DEFAULT_PROMPT);
    case 'tiny':
    case 'gpt2-small':
      return new Gpt2Workload(id, { kind: 'preset', preset: id }, 'Hello, sparse world');
    case 'graph-challenge-dnn': {
      const { createDnnWorkload } = await import('./dnn');
      return createDnnWorkload({ kind: 'builtin' });
    }
    default:
      throw new Error(`unknown model "${id}"; choose one of ${Object.values(BUILTIN_MODELS).join(', ')}`);
  }
}

/** A workload for files the user picked or dropped: a GPT-2 checkpoint, or Matrix Market layers. */
export async function createFromFiles(
  files: File[],
): Promise<{ id: string; label: string; workload: Workload }> {
  const mtx = files.filter((f) => f.name.toLowerCase().endsWith('.mtx'));
  if (mtx.length > 0) {
    const { createDnnWorkload } = await import('./dnn');
    return {
      id: 'files:dnn',
      label: `${mtx.length} Matrix Market files`,
      workload: createDnnWorkload({ kind: 'files', files: mtx }),
    };
  }
  const csp = await findCspFiles(files);
  if (csp) {
    const id = `file:${csp.model.name}`;
    const prompt = csp.encoder && csp.vocabBpe ? 'def f(x):\n    return [x' : '3, 17, 42, 5';
    const workload = new Gpt2Workload(id, { kind: 'circuit-sparsity', files: csp }, prompt);
    return { id, label: `circuit_sparsity: ${csp.model.name}`, workload };
  }
  const model = files.find((f) => f.name.toLowerCase().endsWith('.safetensors'));
  if (!model)
    throw new Error(
      `open a GPT-2 model.safetensors (with its config.json), a circuit_sparsity final_model.pt (with its beeg_config.json) or .mtx layer files; got ${files.map((f) => f.name).join(', ')}`,
    );
  const config = files.find((f) => f.name.toLowerCase().endsWith('.json'));
  const workload = new Gpt2Workload(
    `file:${model.name}`,
    { kind: 'file', model, name: model.name, configJson: config ? await config.text() : undefined },
    'Hello, sparse world',
  );
  return { id: `file:${model.name}`, label: `file: ${model.name}`, workload };
}
