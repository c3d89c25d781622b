// Procedurally generated Python-like next-character tasks (no downloads), the tiny pair's training data
// and its held-out evaluation. Each example is a short snippet with ONE answer position whose next
// character is determined by the text before it and is one of two candidates:
//   quote     x = 'name|'   → the closing quote matches the opening one (' vs "); string contents come
//             from a prefix-free word list, so the string is known to end after the word.
//   bracket   x = [[3, a]|] → after each ']' of the closing run: ']' while brackets are still open, else
//             the newline (count the depth: ] vs ]]).
//   setOrStr  s = set() (or s = '') … for c in text:\n    s| → '.' (.add(c)) for a set, ' ' (+= c) for a
//             string, sometimes with an unrelated variable defined next to it.
// Training text is these snippets back to back, separated by a blank line. Pure TS, no Node APIs.

import { Rng } from '../math/rng';

/** The character vocabulary of the tiny pair, in token-id order (62 characters). */
export const VOCAB = '\n !"#%&\'()*+,-./0123456789:;<=>[]_abcdefghijklmnopqrstuvwxyz{}';

export type TaskName = 'quote' | 'bracket' | 'setOrStr';

export interface TaskInfo {
  name: TaskName;
  title: string;
  description: string;
  /** The two characters an answer can be. */
  candidates: readonly [string, string];
  /** Accuracy of always guessing the more frequent answer (both answers are equally likely: 0.5). */
  chance: number;
}

export const TASKS: readonly TaskInfo[] = [
  {
    name: 'quote',
    title: 'close the string',
    description: 'closing quote matches the opening one: \' or "',
    candidates: ["'", '"'],
    chance: 0.5,
  },
  {
    name: 'bracket',
    title: 'close the brackets',
    description: "after a ']': another ']' while brackets are open (count the depth), else end the line",
    candidates: [']', '\n'],
    chance: 0.5,
  },
  {
    name: 'setOrStr',
    title: '.add( or +=',
    description: "a variable made with set() is extended with '.add(', one made as a string with ' +='",
    candidates: ['.', ' '],
    chance: 0.5,
  },
];

export interface TaskExample {
  task: TaskName;
  /** The whole snippet, ending in a newline. */
  text: string;
  /** Index in `text` of the answer character; the prompt is text.slice(0, answerIndex). */
  answerIndex: number;
  answer: string;
  prompt: string;
}

/** String contents: prefix-free (no word starts another), so the closing quote's position is certain. */
export const WORDS = [
  'name', 'path', 'key', 'data', 'text', 'mode', 'user', 'file',
  'line', 'item', 'word', 'size', 'type', 'json', 'html', 'info',
] as const; // biome-ignore format: a table
const LETTERS = 'abdeghkmnpqrstuvwxyz';

const pick = <T>(rng: Rng, items: ArrayLike<T>): T => items[rng.int(items.length)];

/** Distinct single-letter names. */
function letters(rng: Rng, count: number): string[] {
  const out: string[] = [];
  while (out.length < count) {
    const c = pick(rng, LETTERS);
    if (!out.includes(c)) out.push(c);
  }
  return out;
}

/** A line holding one string literal; `close` is the index of its closing quote within the line. */
function stringLine(rng: Rng, quote: string): { line: string; close: number } {
  const w = pick(rng, WORDS);
  const lit = `${quote}${w}${quote}`;
  const v = pick(rng, LETTERS);
  const [before, after] = pick(rng, [
    [`${v} = `, '\n'],
    ['print(', ')\n'],
    [`${v}.append(`, ')\n'],
    ['return ', '\n'],
  ]);
  return { line: before + lit + after, close: before.length + lit.length - 1 };
}

function quoteExample(rng: Rng): TaskExample {
  let text = '';
  const distractors = rng.int(3);
  for (let i = 0; i < distractors; i++) text += stringLine(rng, pick(rng, ['"', "'"])).line;
  const { line, close } = stringLine(rng, pick(rng, ['"', "'"]));
  return finish('quote', text + line, text.length + close);
}

/** A list literal `depth` brackets deep; `closers` is the index of its first closing bracket. */
function listLine(rng: Rng, depth: number): { line: string; closers: number } {
  const items: string[] = [];
  const count = 1 + rng.int(3);
  for (let i = 0; i < count; i++) items.push(rng.next() < 0.5 ? String(rng.int(10)) : pick(rng, LETTERS));
  const before = rng.next() < 0.5 ? `${pick(rng, LETTERS)} = ` : 'return ';
  const head = before + '['.repeat(depth) + items.join(', ');
  return { line: `${head}${']'.repeat(depth)}\n`, closers: head.length };
}

function bracketExample(rng: Rng): TaskExample {
  let text = '';
  if (rng.next() < 0.5) text += listLine(rng, 1 + rng.int(3)).line;
  // Half the answers are the newline (after the last ']'), half another ']' (after an earlier one).
  let depth: number;
  let after: number; // answer follows the after-th ']'
  if (rng.next() < 0.5) {
    depth = 1 + rng.int(3);
    after = depth;
  } else {
    depth = 2 + rng.int(2);
    after = 1 + rng.int(depth - 1);
  }
  const { line, closers } = listLine(rng, depth);
  return finish('bracket', text + line, text.length + closers + after);
}

function setOrStrExample(rng: Rng): TaskExample {
  const [v, other, c] = letters(rng, 3);
  const useSet = rng.next() < 0.5;
  const lines = [`${v} = ${useSet ? 'set()' : pick(rng, ["''", '""'])}\n`];
  // Half the snippets define a second, unrelated variable before or after it.
  if (rng.next() < 0.5) lines.splice(rng.int(2), 0, `${other} = ${pick(rng, ['0', '1', '[]', 'none'])}\n`);
  const head = `${lines.join('')}for ${c} in ${pick(rng, WORDS)}:\n    ${v}`;
  const tail = useSet ? `.add(${c})\n` : ` += ${c}\n`;
  return finish('setOrStr', head + tail, head.length);
}

function finish(task: TaskName, text: string, answerIndex: number): TaskExample {
  return { task, text, answerIndex, answer: text[answerIndex], prompt: text.slice(0, answerIndex) };
}

const GENERATORS: Record<TaskName, (rng: Rng) => TaskExample> = {
  quote: quoteExample,
  bracket: bracketExample,
  setOrStr: setOrStrExample,
};

export function generateExample(task: TaskName, rng: Rng): TaskExample {
  return GENERATORS[task](rng);
}

/** Training text: snippets of random tasks back to back, each followed by a blank line; `length` chars. */
export function trainingText(rng: Rng, length: number): string {
  let text = '';
  while (text.length < length) text += `${generateExample(pick(rng, TASKS).name, rng).text}\n`;
  return text.slice(0, length);
}

/** Seed of the held-out set the pair is documented with (training streams use other seeds). */
export const HELD_OUT_SEED = 20_251_113;

/** `perTask` examples of every task, task by task, from a stream seeded by `seed`. */
export function heldOutSet(seed: number = HELD_OUT_SEED, perTask = 500): TaskExample[] {
  const out: TaskExample[] = [];
  TASKS.forEach((task, i) => {
    const rng = new Rng((seed ^ Math.imul(i + 1, 0x9e3779b1)) >>> 0);
    for (let n = 0; n < perTask; n++) out.push(generateExample(task.name, rng));
  });
  return out;
}

/** A few prompts per task for the app (fixed; both answers represented), with the expected character. */
export function examplePrompts(perAnswer = 2): TaskExample[] {
  const out: TaskExample[] = [];
  const rng = new Rng(7);
  for (const task of TASKS) {
    for (const answer of task.candidates) {
      let found = 0;
      while (found < perAnswer) {
        const ex = generateExample(task.name, rng);
        if (ex.answer === answer) {
          out.push(ex);
          found++;
        }
      }
    }
  }
  return out;
}
