import { describe, expect, it } from 'vitest';
import { charTokenizer, GPT2_EOT, loadGpt2Tokenizer } from '../../src/model/tokenizer';

describe('GPT-2 BPE tokenizer', () => {
  it('encodes like GPT-2 (r50k_base) and round-trips', async () => {
    const tok = await loadGpt2Tokenizer();
    expect(tok.vocabSize).toBe(50257);
    expect(tok.encode('Hello world')).toEqual([15496, 995]);
    expect(tok.encode('<|endoftext|>')).toEqual([GPT2_EOT]);
    for (const text of ['def f(x):\n    return x + 1', 'naïve café — 東京 🙂', '   spaces  ', '']) {
      expect(tok.decode(tok.encode(text))).toBe(text);
    }
    expect(() => tok.decode([50257])).toThrow(/outside/);
  });
});

describe('char tokenizer', () => {
  it('maps characters to their vocabulary index and back', () => {
    const tok = charTokenizer('\nabc (x)=+é🙂');
    expect(tok.vocabSize).toBe(12);
    const ids = tok.encode('a(x)🙂\n');
    expect(ids).toEqual([1, 5, 6, 7, 11, 0]);
    expect(tok.decode(ids)).toBe('a(x)🙂\n');
    expect(() => tok.encode('z')).toThrow(/"z" is not in the vocabulary/);
    expect(() => tok.decode([12])).toThrow(/outside/);
    expect(() => charTokenizer('aba')).toThrow(/twice/);
    expect(charTokenizer('ab?', { unknown: '?' }).encode('az')).toEqual([0, 2]);
  });
});
