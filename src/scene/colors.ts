// Node colours: a calm tint per layer kind before a run, a diverging activation map after one
// (blue negative, amber positive, dim grey near zero), matching the edges' sign colours.

import type { LayerKind } from '../model/graph';
import { NEGATIVE, POSITIVE, type Rgb } from './edges';

export const BACKGROUND = 0x07090f;

const KIND_TINT: Record<LayerKind, Rgb> = {
  resid: [0.8, 0.84, 0.92],
  'attn-in': [0.42, 0.88, 0.8],
  'attn-out': [0.72, 0.62, 1.0],
  mlp: [1.0, 0.78, 0.42],
  input: [0.92, 0.92, 0.92],
  output: [0.92, 0.92, 0.92],
};

export function kindColor(kind: LayerKind): Rgb {
  return KIND_TINT[kind];
}

const ZERO: Rgb = [0.22, 0.25, 0.32];

/** a scaled by `scale` (e.g. the layer's max |a|): 0 → dim grey, ±1 → full amber / blue, lightened. */
export function activationColor(a: number, scale: number): Rgb {
  const t = scale > 0 ? Math.min(1, Math.abs(a) / scale) ** 0.7 : 0;
  const end = a >= 0 ? POSITIVE : NEGATIVE;
  const lift = 0.25 * t; // the strongest neurons glow a little towards white
  const mix = (c: number) => ZERO[c] + (end[c] - ZERO[c]) * t + lift * (1 - end[c]);
  return [mix(0), mix(1), mix(2)];
}
