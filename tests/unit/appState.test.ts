import { describe, expect, it } from 'vitest';
import { escapePrompt, initialValues, unescapePrompt } from '../../src/ui/appState';

describe('prompt escaping', () => {
  it('round-trips newlines and backslashes', () => {
    for (const s of ['a\nb', 'x = "\\\\n"', 'p = set()\nfor q in t:\n    p', '\\', '']) {
      expect(unescapePrompt(escapePrompt(s))).toBe(s);
    }
    expect(escapePrompt('a\nb')).toBe('a\\nb');
  });
});

describe('URL parameters', () => {
  it('give sensible defaults and honour ?backend=cpu, ?model, ?neurons', () => {
    const v = initialValues(new URLSearchParams('backend=cpu&model=tiny&neurons=48'));
    expect(v).toMatchObject({ backend: 'cpu', model: 'tiny', perLayer: 48 });
    const d = initialValues(new URLSearchParams(''));
    expect(d).toMatchObject({ backend: 'webgpu', model: 'tiny-pair', perLayer: 32 });
    expect(initialValues(new URLSearchParams('neurons=abc')).perLayer).toBe(32);
  });
});
