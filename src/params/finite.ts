// Outputs are checked before they are printed or written: a NaN or an overflow to ±Infinity is an error
// naming where it first appeared, never a silent JSON `null` or "Infinity ms".

class NonFiniteError extends Error {
  override name = 'NonFiniteError';
}

/** Throw when `values` holds NaN or ±Infinity: `what` says which output, `index` → position is optional. */
export function checkFinite(
  what: string,
  values: ArrayLike<number>,
  position: (index: number) => string = (i) => `element ${i}`,
): void {
  let bad = 0;
  let first = -1;
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      if (first < 0) first = i;
      bad++;
    }
  }
  if (bad > 0) {
    throw new NonFiniteError(
      `${what}: ${bad} of ${values.length} values are not finite (first: ${values[first]} at ${position(first)}); ` +
        'the inputs overflow float32 or the GPU job failed',
    );
  }
}
