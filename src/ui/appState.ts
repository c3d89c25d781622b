// What the page remembers: the URL parameters it starts from, and the prompt's escaping (the prompt box is
// one line, so a newline is written as \n).
import { type ControlValues, DENSITIES } from './controls';
import { readAppParams } from './urlParams';

export function escapePrompt(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

export function unescapePrompt(text: string): string {
  return text.replace(/\\(\\|n)/g, (_, c: string) => (c === 'n' ? '\n' : '\\'));
}

export const DEFAULT_PROMPT = 'p = set()\nfor q in text:\n    p';

export function initialValues(params: URLSearchParams): ControlValues {
  const { values, densityText } = readAppParams(params);
  const text = (name: 'model' | 'prompt' | 'input') => values.get(name) as string | undefined;
  const density =
    densityText !== undefined ? addDensity(densityText, values.get('density') as number) : '1/64';
  return {
    model: text('model') ?? 'tiny-pair',
    prompt: text('prompt') ?? escapePrompt(text('input') ?? DEFAULT_PROMPT),
    token: 0,
    density,
    backend: values.get('backend') === 'cpu' ? 'cpu' : 'webgpu',
    perLayer: (values.get('neurons') as number | undefined) ?? 32,
    brightness: (values.get('brightness') as number | undefined) ?? 1,
    timings: true,
    labels: true,
  };
}

/** A density from the URL joins the panel's choices under the name the URL gave it ("1/100", "0.3"). */
function addDensity(name: string, value: number): string {
  const known = Object.entries(DENSITIES).find(([, v]) => v === value);
  if (known) return known[0];
  DENSITIES[name] = value;
  return name;
}
