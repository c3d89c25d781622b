// WGSL include step, shared by the Vite plugin (scripts/wgslPlugin.ts: app build, dev server, Vitest) and the
// Node `?raw` hooks (bin/raw-hooks.mjs: the CLI and scripts). A line
//   // #include "common/epilogue.wgsl"
// is replaced by that file (a path relative to the including file), itself expanded the same way. The
// directive is a WGSL comment, so every file stays plain WGSL that editors and linters read as such.
// A file is included at most once per expanded source (two snippets may both include a third); a cycle or
// a missing file is an error naming the including file and line.
import { dirname, relative, resolve } from 'node:path';

const DIRECTIVE = /^\s*\/\/\s*#include\b(.*)$/;
const QUOTED = /^\s*"([^"]+)"\s*$/;

/**
 * Expand the includes of one WGSL file.
 * @param {string} file path of the WGSL file
 * @param {(path: string) => string | undefined} read a file's text, or undefined when there is none
 * @returns {{ code: string, files: string[] }} the expanded source and every file read (for file watchers)
 */
export function expandWgsl(file, read) {
  const root = resolve(file);
  const included = new Set([root]);
  const code = expandText(root, readOrThrow(read, root, null), read, [root], included);
  return { code, files: [...included] };
}

function readOrThrow(read, path, from) {
  const text = read(path);
  if (text === undefined) {
    const where = from ? `${from}: #include ` : '';
    throw new Error(`WGSL ${where}"${path}": no such file`);
  }
  return text;
}

function expandText(file, text, read, stack, included) {
  const lines = text.split('\n');
  return lines
    .map((line, i) => {
      const directive = DIRECTIVE.exec(line);
      if (!directive) return line;
      const where = `${shortPath(file)}:${i + 1}`;
      const quoted = QUOTED.exec(directive[1]);
      if (!quoted) throw new Error(`WGSL ${where}: malformed include, expected // #include "path.wgsl"`);
      const target = resolve(dirname(file), quoted[1]);
      if (stack.includes(target)) {
        const cycle = [...stack.slice(stack.indexOf(target)), target].map(shortPath).join(' → ');
        throw new Error(`WGSL ${where}: include cycle ${cycle}`);
      }
      if (included.has(target)) return `// (${quoted[1]} is already included above)`;
      included.add(target);
      const body = expandText(target, readOrThrow(read, target, where), read, [...stack, target], included);
      return `// ---- ${quoted[1]} ----\n${body.replace(/\n$/, '')}\n// ---- end of ${quoted[1]} ----`;
    })
    .join('\n');
}

function shortPath(path) {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
}
