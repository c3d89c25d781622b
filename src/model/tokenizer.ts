// Tokenizers: GPT-2's byte-level BPE (r50k_base, through gpt-tokenizer) and a character-level one for
// small trained models whose vocabulary is a string of characters.

export interface Tokenizer {
  readonly name: string;
  readonly vocabSize: number;
  encode(text: string): number[];
  decode(ids: readonly number[]): string;
}

export class TokenizerError extends Error {
  override name = 'TokenizerError';
}

/** GPT-2's end-of-text token id. */
export const GPT2_EOT = 50256;

/**
 * GPT-2 BPE. Loaded lazily: the merge table (~0.6 MB of JS) becomes its own chunk in the Vite build
 * and is only fetched when a GPT-2 vocabulary is actually used. `<|endoftext|>` in text encodes as 50256.
 */
export async function loadGpt2Tokenizer(): Promise<Tokenizer> {
  const bpe = await import('gpt-tokenizer/encoding/r50k_base');
  const allowedSpecial = new Set(['<|endoftext|>']);
  return {
    name: 'gpt2',
    vocabSize: bpe.vocabularySize,
    encode: (text) => bpe.encode(text, { allowedSpecial }),
    decode: (ids) => {
      for (const id of ids) {
        if (!Number.isInteger(id) || id < 0 || id >= bpe.vocabularySize) {
          throw new TokenizerError(`gpt2: token id ${id} outside [0, ${bpe.vocabularySize})`);
        }
      }
      return bpe.decode(ids);
    },
  };
}

/**
 * One token per character of `vocabulary` (Unicode code points, in order; duplicates rejected).
 * Characters not in the vocabulary map to `unknown` if given (a character of the vocabulary), else throw.
 */
export function charTokenizer(
  vocabulary: string,
  options: { unknown?: string; name?: string } = {},
): Tokenizer {
  const chars = Array.from(vocabulary);
  if (chars.length === 0) throw new TokenizerError('char tokenizer: empty vocabulary');
  const index = new Map<string, number>();
  chars.forEach((c, i) => {
    if (index.has(c)) throw new TokenizerError(`char tokenizer: '${c}' appears twice in the vocabulary`);
    index.set(c, i);
  });
  let unknownId: number | undefined;
  if (options.unknown !== undefined) {
    unknownId = index.get(options.unknown);
    if (unknownId === undefined)
      throw new TokenizerError(`char tokenizer: unknown token '${options.unknown}' is not in the vocabulary`);
  }
  return {
    name: options.name ?? 'char',
    vocabSize: chars.length,
    encode(text) {
      const ids: number[] = [];
      for (const c of text) {
        const id = index.get(c) ?? unknownId;
        if (id === undefined)
          throw new TokenizerError(`char tokenizer: character ${JSON.stringify(c)} is not in the vocabulary`);
        ids.push(id);
      }
      return ids;
    },
    decode(ids) {
      let s = '';
      for (const id of ids) {
        const c = chars[id];
        if (c === undefined)
          throw new TokenizerError(`char tokenizer: token id ${id} outside [0, ${chars.length})`);
        s += c;
      }
      return s;
    },
  };
}
