// The view state the URL carries besides the model controls (appState.ts reads model, prompt, density):
// the selected token ('last' or an index), the pinned neuron and the camera preset, read and written here
// only, so that a shared link opens the same view. Bad values are reported as every URL parameter is (main.ts).

import type { FrameTarget } from '../../scene/sceneView';
import { STORED_DENSITY } from '../controls';
import { readAppParams } from '../urlParams';

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

/** `sparse:b3.mlp:1203` (already checked by the shared validator) → a NeuronRef. */
function neuronRef(text: string): NeuronRef {
  const [side, layerId, index] = text.split(':');
  return { side: side as NeuronRef['side'], layerId, index: Number(index) };
}

/**
 * token, neuron and view from the URL, read through the app's one parameter table and validator
 * (urlParams.ts): a bad value is one of `problems`, worded as every other bad parameter, and the default used.
 */
export function readViewState(params: URLSearchParams): { state: ViewState; problems: string[] } {
  const { values, errors } = readAppParams(params);
  const state: ViewState = { token: 'last', neuron: null, view: 'both' };
  const token = values.get('token') as string | undefined;
  if (token !== undefined && token !== 'last') state.token = Number(token);
  const neuron = values.get('neuron') as string | undefined;
  if (neuron !== undefined) state.neuron = neuronRef(neuron);
  const view = values.get('view') as FrameTarget | undefined;
  if (view !== undefined) state.view = view;
  const problems = errors.filter((e) => /^(token|neuron|view):/.test(e));
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
  // A trained model's own density ('stored') is the model's, not a number: it stays out of the URL (the
  // model restores it), so a reload never reads back a density it cannot parse.
  if (values.density === STORED_DENSITY) params.delete('density');
  else params.set('density', values.density);
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
