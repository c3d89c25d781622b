// The generated tasks: every answer is determined by its prompt (checked by an independent parser of
// the snippet), both answers are equally represented, everything fits the context and the vocabulary,
// and the held-out set is deterministic and distinct from the training stream.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/math/rng';
import {
  examplePrompts,
  generateExample,
  HELD_OUT_SEED,
  heldOutSet,
  TASKS,
  type TaskExample,
  trainingText,
  VOCAB,
  WORDS,
} from '../../src/train/tasks';

const examples = heldOutSet(HELD_OUT_SEED, 400);
const lastLine = (e: TaskExample) => e.prompt.slice(e.prompt.lastIndexOf('\n') + 1);

/** The answer derived from the prompt alone, without the generator's bookkeeping. */
function expectedAnswer(e: TaskExample): string {
  const line = lastLine(e);
  if (e.task === 'quote') {
    const open = line.search(/['"]/);
    expect(WORDS).toContain(line.slice(open + 1)); // the word is complete: the string must close now
    return line[open];
  }
  if (e.task === 'bracket') {
    expect(line.endsWith(']')).toBe(true);
    const depth = [...line].filter((c) => c === '[').length - [...line].filter((c) => c === ']').length;
    return depth > 0 ? ']' : '\n';
  }
  const name = line.trim();
  const def = e.prompt.split('\n').find((l) => l.startsWith(`${name} = `));
  return def?.endsWith('set()') ? '.' : ' ';
}

describe('tasks', () => {
  it('answers follow from the prompt and are one of the two candidates', () => {
    for (const e of examples) {
      expect(e.text.slice(0, e.answerIndex)).toBe(e.prompt);
      expect(e.text[e.answerIndex]).toBe(e.answer);
      expect(TASKS.find((t) => t.name === e.task)?.candidates).toContain(e.answer);
      expect(expectedAnswer(e)).toBe(e.answer);
    }
  });

  it('both answers are about equally frequent per task (chance 50%)', () => {
    for (const task of TASKS) {
      const mine = examples.filter((e) => e.task === task.name);
      expect(mine).toHaveLength(400);
      const first = mine.filter((e) => e.answer === task.candidates[0]).length / mine.length;
      expect(Math.abs(first - task.chance)).toBeLessThan(0.08);
    }
  });

  it('every snippet fits a 64-character context and uses only vocabulary characters', () => {
    const vocab = new Set(VOCAB);
    expect(vocab.size).toBe(VOCAB.length);
    expect(Math.max(...examples.map((e) => e.text.length))).toBeLessThanOrEqual(64);
    const all = examples.map((e) => e.text).join('') + trainingText(new Rng(5), 2000);
    expect([...new Set(all)].filter((c) => !vocab.has(c))).toEqual([]);
  });

  it('the string words are prefix-free (the closing quote position is certain)', () => {
    for (const a of WORDS) for (const b of WORDS) if (a !== b) expect(b.startsWith(a)).toBe(false);
  });

  it('heldOutSet is deterministic per seed and differs between seeds', () => {
    expect(heldOutSet(HELD_OUT_SEED, 20)).toEqual(heldOutSet(HELD_OUT_SEED, 20));
    const other = heldOutSet(HELD_OUT_SEED + 1, 20).map((e) => e.text);
    const same = heldOutSet(HELD_OUT_SEED, 20).filter((e, i) => e.text === other[i]).length;
    expect(same).toBeLessThan(5);
  });

  it('examplePrompts gives both answers of every task', () => {
    const prompts = examplePrompts();
    for (const task of TASKS) {
      for (const c of task.candidates) {
        expect(prompts.filter((e) => e.task === task.name && e.answer === c)).toHaveLength(2);
      }
    }
    expect(generateExample('setOrStr', new Rng(1)).prompt).toMatch(/\n {4}[a-z]$/);
  });
});
