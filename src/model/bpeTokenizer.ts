// Byte-level BPE from GPT-2-format files (encoder.json: token string → id; vocab.bpe: merges in rank
// order), with a pre-tokenizer regex and special tokens given per model. Used for circuit_sparsity's
// tinypython_2k, whose files are opened by the user (nothing is fetched). Ids 0–255 are single bytes in
// GPT-2's bytes_to_unicode order; the encoder's ids are used as they are.
import { type Tokenizer, TokenizerError } from './tokenizer';

/** tinypython_2k's pre-tokenizer (circuit_sparsity tiktoken_ext/tinypython.py). */
export const TINYPYTHON_PATTERN =
  /[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+/gu;
export const TINYPYTHON_EOT = 2047;

/** GPT-2's reversible map from bytes to printable code points. */
export function bytesToUnicode(): string[] {
  const printable: number[] = [];
  for (let b = 33; b <= 126; b++) printable.push(b);
  for (let b = 161; b <= 172; b++) printable.push(b);
  for (let b = 174; b <= 255; b++) printable.push(b);
  const out: string[] = new Array(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    out[b] = String.fromCodePoint(printable.includes(b) ? b : 256 + extra++);
  }
  return out;
}

export interface BpeOptions {
  name: string;
  pattern: RegExp;
  /** Special tokens recognised in text and decoded back, e.g. { '<|endoftext|>': 2047 }. */
  special: Record<string, number>;
}

export function bpeTokenizer(encoderJson: string, vocabBpe: string, options: BpeOptions): Tokenizer {
  let encoder: Record<string, number>;
  try {
    encoder = JSON.parse(encoderJson) as Record<string, number>;
  } catch (e) {
    throw new TokenizerError(`${options.name}: encoder.json is not JSON (${(e as Error).message})`);
  }
  if (typeof encoder !== 'object' || encoder === null || Array.isArray(encoder))
    throw new TokenizerError(`${options.name}: encoder.json is not an object of token → id`);
  const decoder = new Map<number, string>();
  for (const [token, id] of Object.entries(encoder)) {
    if (!Number.isInteger(id) || id < 0)
      throw new TokenizerError(`${options.name}: id of ${JSON.stringify(token)} is ${id}`);
    decoder.set(id, token);
  }
  const ranks = new Map<string, number>();
  const lines = vocabBpe.split('\n');
  for (const line of lines.slice(lines[0]?.startsWith('#version') ? 1 : 0)) {
    if (line.trim() === '') continue;
    const parts = line.split(' ');
    if (parts.length !== 2)
      throw new TokenizerError(`${options.name}: vocab.bpe line ${JSON.stringify(line)} is not a merge`);
    ranks.set(line, ranks.size);
  }
  const specialIds = new Map<number, string>(Object.entries(options.special).map(([s, id]) => [id, s]));
  const vocabSize = [...decoder.keys(), ...specialIds.keys()].reduce((a, b) => Math.max(a, b + 1), 0);
  const byteChar = bytesToUnicode();
  const charByte = new Map(byteChar.map((c, b) => [c, b]));
  const cache = new Map<string, number[]>();
  const utf8 = new TextEncoder();

  const bpe = (piece: string): number[] => {
    const cached = cache.get(piece);
    if (cached) return cached;
    let word = Array.from(utf8.encode(piece), (b) => byteChar[b]);
    while (word.length > 1) {
      let best = -1;
      let bestRank = Number.POSITIVE_INFINITY;
      for (let i = 0; i < word.length - 1; i++) {
        const r = ranks.get(`${word[i]} ${word[i + 1]}`);
        if (r !== undefined && r < bestRank) {
          bestRank = r;
          best = i;
        }
      }
      if (best < 0) break;
      const [a, b] = [word[best], word[best + 1]];
      const merged: string[] = [];
      for (let i = 0; i < word.length; i++) {
        if (i < word.length - 1 && word[i] === a && word[i + 1] === b) {
          merged.push(a + b);
          i++;
        } else merged.push(word[i]);
      }
      word = merged;
    }
    const ids = word.map((tok) => {
      const id = encoder[tok];
      if (id === undefined)
        throw new TokenizerError(`${options.name}: no id for token ${JSON.stringify(tok)}`);
      return id;
    });
    cache.set(piece, ids);
    return ids;
  };

  const specials = Object.keys(options.special);
  const splitter = specials.length
    ? new RegExp(`(${specials.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`)
    : null;
  return {
    name: options.name,
    vocabSize,
    encode(text) {
      const out: number[] = [];
      for (const chunk of splitter ? text.split(splitter) : [text]) {
        if (chunk === '') continue;
        const special = options.special[chunk];
        if (special !== undefined) {
          out.push(special);
          continue;
        }
        for (const m of chunk.matchAll(options.pattern)) out.push(...bpe(m[0]));
      }
      return out;
    },
    decode(ids) {
      const bytes: number[] = [];
      let text = '';
      const flush = () => {
        text += new TextDecoder().decode(new Uint8Array(bytes));
        bytes.length = 0;
      };
      for (const id of ids) {
        const special = specialIds.get(id);
        if (special !== undefined) {
          flush();
          text += special;
          continue;
        }
        const tok = decoder.get(id);
        if (tok === undefined)
          throw new TokenizerError(`${options.name}: token id ${id} is not in the vocabulary`);
        for (const ch of tok) bytes.push(charByte.get(ch) ?? 63);
      }
      flush();
      return text;
    },
  };
}

/** Ids typed as text ("3, 17, 42"): for models opened without their tokenizer files. */
export function tokenIdTokenizer(vocabSize: number): Tokenizer {
  return {
    name: 'token ids',
    vocabSize,
    encode(text) {
      const ids = text
        .split(/[\s,]+/)
        .filter(Boolean)
        .map(Number);
      for (const id of ids) {
        if (!Number.isInteger(id) || id < 0 || id >= vocabSize)
          throw new TokenizerError(`type token ids 0..${vocabSize - 1} separated by commas; got "${text}"`);
      }
      return ids;
    },
    decode: (ids) => ids.map((id) => ` ${id}`).join(''),
  };
}
