// The app's URL parameters go through the shared validator: bad values are reported, prototypes untouched.
import { describe, expect, it } from 'vitest';
import { initialValues } from '../../src/ui/appState';
import { DENSITIES, densityOf } from '../../src/ui/controls';
import { readAppParams } from '../../src/ui/urlParams';

describe('app URL parameters', () => {
  it('report a bad density, neurons or backend, naming the parameter, and keep the defaults', () => {
    const query = 'density=constructor&neurons=abc&backend=gpu&brightness=1e39';
    const { errors } = readAppParams(new URLSearchParams(query));
    expect(errors).toEqual([
      'density: "constructor" is not a number or a fraction like 1/64 (using the default)',
      'backend: "gpu" is not one of webgpu, cpu (using the default)',
      'neurons: "abc" is not a whole number from 8 to 256 (using the default)',
      'brightness: "1e39" is outside the float32 range (±3.4e38) (using the default)',
    ]);
    expect(initialValues(new URLSearchParams(query))).toMatchObject({
      density: '1/64',
      perLayer: 32,
      backend: 'webgpu',
      brightness: 1,
    });
  });

  it('never reach the object prototype', () => {
    for (const query of [
      'density=__proto__',
      'density=constructor',
      '__proto__=1&constructor=2',
      'model=__proto__',
    ]) {
      const v = initialValues(new URLSearchParams(query));
      expect(typeof densityOf(v.density), query).toBe('number');
    }
    expect(densityOf('constructor')).toBe(1 / 64);
    expect(densityOf('__proto__')).toBe(1 / 64);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(DENSITIES)).toBe(Object.prototype);
  });

  it('accept any density, as a fraction or a decimal, and offer it in the panel', () => {
    expect(initialValues(new URLSearchParams('density=1/4')).density).toBe('1/4');
    const v = initialValues(new URLSearchParams('density=1/100'));
    expect(v.density).toBe('1/100');
    expect(densityOf('1/100')).toBe(0.01);
    expect(readAppParams(new URLSearchParams('density=0')).errors[0]).toMatch(
      /density: "0" is outside \(0, 1\]/,
    );
  });
});
