// What the page remembers: the URL parameters it starts from, and the prompt's escaping (the prompt box is
// one line, so a newline is written as \n).
import type { ControlValues } from './controls';

export function escapePrompt(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

export function unescapePrompt(text: string): string {
  return text.replace(/\\(\\|n)/g, (_, c: string) => (c === 'n' ? '\n' : '\\'));
}

export const DEFAULT_PROMPT = 'p = set()\nfor q in text:\n    p';

export function initialValues(params: URLSearchParams): ControlValues {
  const num = (name: string, fallback: number) => {
    const v = Number(params.get(name));
    return params.has(name) && Number.isFinite(v) ? v : fallback;
  };
  return {
    model: params.get('model') ?? 'tiny-pair',
    prompt: params.get('prompt') ?? escapePrompt(params.get('input') ?? DEFAULT_PROMPT),
    token: 0,
    density: params.get('density') ?? '1/64',
    backend: params.get('backend') === 'cpu' ? 'cpu' : 'webgpu',
    perLayer: num('neurons', 32),
    brightness: num('brightness', 1),
    timings: true,
    labels: true,
  };
}
