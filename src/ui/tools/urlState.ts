// The view state the URL carries besides the model controls (appState.ts reads model, prompt, density):
// the selected token ('last' or an index), the pinned neuron and the camera preset, read and written here
// only, so that a shared link opens the same view. Bad values are dropped with a reason, never thrown.

import type { FrameTarget } from '../../scene/sceneView';

interface NeuronRef {
  side: 'sparse' | 'dense';
  layerId: string;
  index: number;
}

export interface ViewState {
  token: 'last' | number;
  neuron: NeuronRef | null;
  view: FrameTarget;
}

export interface UrlValues {
  model: string;
  prompt: string;
  density: string;
}

const VIEWS: readonly FrameTarget[] = ['both', 'sparse', 'dense'];

/** `sparse:b3.mlp:1203` → a NeuronRef, or null. */
function parseNeuronParam(text: string | null): NeuronRef | null {
  const m = /^(sparse|dense):([\w.-]{1,64}):(\d{1,9})$/.exec(text ?? '');
  if (!m) return null;
  return { side: m[1] as NeuronRef['side'], layerId: m[2], index: Number(m[3]) };
}

export function readViewState(params: URLSearchParams): { state: ViewState; problems: string[] } {
  const problems: string[] = [];
  const state: ViewState = { token: 'last', neuron: null, view: 'both' };
  const token = params.get('token');
  if (token !== null && token !== 'last') {
    if (/^\d{1,6}$/.test(token)) state.token = Number(token);
    else problems.push(`token=${token.slice(0, 20)}: expected "last" or a position (0, 1, …)`);
  }
  const neuron = params.get('neuron');
  if (neuron !== null) {
    state.neuron = parseNeuronParam(neuron);
    if (!state.neuron) problems.push(`neuron=${neuron.slice(0, 40)}: expected side:layer:index`);
  }
  const view = params.get('view');
  if (view !== null) {
    if ((VIEWS as readonly string[]).includes(view)) state.view = view as FrameTarget;
    else problems.push(`view=${view.slice(0, 20)}: expected both, sparse or dense`);
  }
  return { state, problems };
}

/**
 * The query string for `values` and `state`, keeping every other parameter of `base` (backend, neurons,
 * …). Defaults are left out so a plain view keeps a short URL.
 */
export function writeViewState(base: URLSearchParams, values: UrlValues, state: ViewState): string {
  const params = new URLSearchParams(base);
  params.set('model', values.model);
  params.set('prompt', values.prompt);
  params.set('density', values.density);
  const optional: [string, string | null][] = [
    ['token', state.token === 'last' ? null : String(state.token)],
    ['neuron', state.neuron ? `${state.neuron.side}:${state.neuron.layerId}:${state.neuron.index}` : null],
    ['view', state.view === 'both' ? null : state.view],
  ];
  for (const [name, value] of optional) {
    if (value === null) params.delete(name);
    else params.set(name, value);
  }
  params.delete('input'); // the prompt parameter says it now
  return `?${params.toString()}`;
}
