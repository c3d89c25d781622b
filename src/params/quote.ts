// Quoting user input inside an error message: at most ~200 characters, control characters (CR, escape
// sequences) shown as escapes, so a 50 MB line or a CR-only file cannot flood or garble a terminal.

const QUOTE_MAX = 200;

/** `text` in double quotes, shortened to `max` characters with the full length stated. */
export function quote(text: string, max = QUOTE_MAX): string {
  const shown = text.length > max ? text.slice(0, max) : text;
  let safe = '';
  for (const c of shown) {
    const code = c.charCodeAt(0);
    if (c === '"' || c === '\\') safe += `\\${c}`;
    else if (c === '\n') safe += '\\n';
    else if (c === '\r') safe += '\\r';
    else if (c === '\t') safe += '\\t';
    else if (code < 0x20 || (code >= 0x7f && code <= 0x9f))
      safe += `\\u${code.toString(16).padStart(4, '0')}`;
    else safe += c;
  }
  return text.length > max ? `"${safe}…" (${text.length} characters)` : `"${safe}"`;
}

/** The candidate closest to `name` (edit distance ≤ 2, or a prefix of it), for "did you mean …?". */
export function closest(name: string, candidates: Iterable<string>): string | null {
  let best: string | null = null;
  let bestDistance = 3;
  for (const c of candidates) {
    const d = c.startsWith(name) && name.length >= 3 ? 1 : editDistance(name, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/** Damerau–Levenshtein (optimal string alignment) distance: a swap of two letters counts as one edit. */
function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3 || a.length > 64 || b.length > 64) return 99;
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}
