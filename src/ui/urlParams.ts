// The app's URL parameters, read through the same validator as the CLI's flags (src/params/values.ts):
// each parameter declares its kind in one table; a bad value is reported (as an unknown model is) and the
// default used, never silently replaced. Values land in a Map, so "constructor" or "__proto__" as a name
// or a value never reach an object's prototype.
import { KINDS, ParamError, parseValue, type Value, type ValueKind } from '../params/values';

const APP_PARAMS = {
  model: KINDS.text,
  prompt: KINDS.text,
  input: KINDS.text,
  density: KINDS.density,
  backend: KINDS.backend,
  neurons: { type: 'int', min: 8, max: 256 },
  brightness: { type: 'number', min: 0.2, max: 4 },
  order: { type: 'choice', choices: ['index', 'barycenter'] },
  aa: { type: 'choice', choices: ['0', '1'] },
  // The view a shared link opens (tools/urlState.ts).
  token: { type: 'pattern', pattern: /^(last|\d{1,6})$/, expected: '"last" or a position (0, 1, …)' },
  neuron: {
    type: 'pattern',
    pattern: /^(sparse|dense):[\w.-]{1,64}:\d{1,9}$/,
    expected: 'side:layer:index (e.g. sparse:b3.mlp:1203)',
  },
  view: { type: 'choice', choices: ['both', 'sparse', 'dense'] },
} as const satisfies Record<string, ValueKind>;

type AppParam = keyof typeof APP_PARAMS;

interface AppParams {
  /** The parameters given and valid, as parsed values. */
  values: Map<AppParam, Value>;
  /** One line per bad parameter: `density: "abc" is not a number or a fraction like 1/64 (using the default)`. */
  errors: string[];
  /** The density as the URL wrote it (e.g. "1/64"), when valid. */
  densityText?: string;
}

export function readAppParams(params: URLSearchParams): AppParams {
  const values = new Map<AppParam, Value>();
  const errors: string[] = [];
  for (const [name, kind] of Object.entries(APP_PARAMS) as [AppParam, ValueKind][]) {
    const text = params.get(name);
    // 'stored' (a trained model's own density, in links written before it was left out) means the default.
    if (text === null || (name === 'density' && text.trim() === 'stored')) continue;
    try {
      values.set(name, parseValue(name, text, kind));
    } catch (err) {
      if (!(err instanceof ParamError)) throw err;
      errors.push(`${err.message} (using the default)`);
    }
  }
  const densityText = values.has('density') ? params.get('density')!.trim() : undefined;
  return { values, errors, densityText };
}
