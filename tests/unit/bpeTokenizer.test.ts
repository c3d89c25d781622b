// Byte-level BPE from GPT-2-format files (as circuit_sparsity's tinypython_2k ships them), on a small
// hand-made vocabulary: merges applied by rank, bytes round-trip, the special token, the id tokenizer.
import { describe, expect, it } from 'vitest';
import {
  bpeTokenizer,
  bytesToUnicode,
  TINYPYTHON_EOT,
  TINYPYTHON_PATTERN,
  tokenIdTokenizer,
} from '../../src/model/bpeTokenizer';

function smallVocab() {
  const chars = bytesToUnicode();
  const encoder: Record<string, number> = {};
  chars.forEach((c, b) => {
    encoder[c] = b;
  });
  const sp = chars[32]; // 'Ġ', the space byte
  const merges = ['h e', 'l l', 'he ll', `${sp} hell`, 'o o'];
  let next = 256;
  for (const m of merges) encoder[m.replace(' ', '')] = next++;
  return { encoder: JSON.stringify(encoder), bpe: `#version: 0.2\n${merges.join('\n')}\n`, sp };
}

describe('bpeTokenizer', () => {
  const { encoder, bpe } = smallVocab();
  const tok = bpeTokenizer(encoder, bpe, {
    name: 'test',
    pattern: TINYPYTHON_PATTERN,
    special: { '<|endoftext|>': TINYPYTHON_EOT },
  });

  it('applies merges by rank and maps bytes in GPT-2 order', () => {
    // "hello" → "hell" (merge 2 after 0 and 1) + "o"; " hello" → "Ġhell" + "o".
    expect(tok.encode('hello hello')).toEqual([258, 111, 259, 111]);
    expect(tok.encode('\n')).toEqual([10]);
  });

  it('round-trips text, multi-byte characters and the special token', () => {
    const text = 'def f(x):\n    return "é€" + 12345<|endoftext|>hello';
    const ids = tok.encode(text);
    expect(ids).toContain(TINYPYTHON_EOT);
    expect(tok.decode(ids)).toBe(text);
    expect(tok.vocabSize).toBe(TINYPYTHON_EOT + 1);
  });

  it('pre-tokenizes like tinypython (digits in threes, "/" after punctuation)', () => {
    const pieces = [...'x = 12345 // 2'.matchAll(TINYPYTHON_PATTERN)].map((m) => m[0]);
    expect(pieces).toEqual(['x', ' =', ' ', '123', '45', ' //', ' ', '2']);
  });

  it('rejects bad files and unknown ids with a clear message', () => {
    expect(() => bpeTokenizer('{', bpe, { name: 't', pattern: TINYPYTHON_PATTERN, special: {} })).toThrow(
      /not JSON/,
    );
    expect(() => tok.decode([1500])).toThrow(/not in the vocabulary/);
  });
});

describe('tokenIdTokenizer', () => {
  it('reads comma-separated ids and refuses others', () => {
    const t = tokenIdTokenizer(64);
    expect(t.encode('3, 17,42')).toEqual([3, 17, 42]);
    expect(() => t.encode('3, 64')).toThrow(/0\.\.63/);
    expect(t.decode([3, 17])).toBe(' 3 17');
  });
});
