// The dependency rule of ../shared/DESIGN.md, checked: every import under src/ goes downward (a folder may
// import only the folders listed for it below) and no two files import each other, directly or round a
// cycle. Run by `npm run lint`; exits 1 naming each offending import.
// (dependency-cruiser does this too, but its current releases need Node ≥ 22; this project runs on 20.)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

// The tree to check: src/ of this repository, or a folder given as the first argument (the unit test's).
const SRC = resolve(process.argv[2] ?? resolve(import.meta.dirname, '..', 'src'));

// Lowest first. A folder may import itself and the folders it lists; src/contracts.ts is the leaf.
const ALLOWED = {
  contracts: [],
  // The shared validator and limits for user input (flags, URL parameters, files): a leaf like contracts.
  params: [],
  math: ['contracts', 'params'],
  formats: ['contracts', 'params', 'math'],
  model: ['contracts', 'params', 'math', 'formats'],
  gpu: ['contracts', 'params', 'math'],
  node: [],
  engine: ['contracts', 'params', 'math', 'formats', 'model', 'gpu'],
  train: ['contracts', 'params', 'math', 'formats', 'model'],
  bench: ['contracts', 'params', 'math', 'formats', 'model', 'gpu', 'engine'],
  circuit: ['contracts', 'params', 'math', 'formats', 'model', 'engine', 'train'],
  scene: ['contracts', 'params', 'math', 'model', 'bench'],
  ui: [
    'contracts',
    'params',
    'math',
    'formats',
    'model',
    'gpu',
    'engine',
    'train',
    'bench',
    'circuit',
    'scene',
  ],
  cli: [
    'contracts',
    'params',
    'math',
    'formats',
    'model',
    'gpu',
    'engine',
    'train',
    'bench',
    'circuit',
    'node',
  ],
  'main.ts': [
    'contracts',
    'params',
    'math',
    'formats',
    'model',
    'gpu',
    'engine',
    'bench',
    'circuit',
    'scene',
    'ui',
  ],
};

function sourceFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.ts$/.test(name) ? [path] : [];
  });
}

/** Top-level area of a file under src/ ('math', 'contracts', 'main.ts', …). */
function area(file) {
  const first = relative(SRC, file).split(/[\\/]/)[0];
  return first.replace(/\.ts$/, '') === 'contracts' ? 'contracts' : first;
}

/** Relative imports of a file: static, type-only, re-exports, dynamic import() and new URL(…, import.meta.url). */
function importsOf(file) {
  const text = readFileSync(file, 'utf8');
  const patterns = [
    [/(?:^|\n)\s*(?:import|export)\s[^;]*?\sfrom\s+'([^']+)'/g, false],
    [/(?:^|\n)\s*import\s+'([^']+)'/g, false],
    [/\bimport\(\s*'([^']+)'\s*\)/g, false],
    // A worker's entry module: it runs in another thread, so it counts for layers but not for cycles.
    [/new URL\(\s*'([^']+)'\s*,\s*import\.meta\.url\s*\)/g, true],
  ];
  const out = [];
  for (const [pattern, entry] of patterns) {
    for (const m of text.matchAll(pattern)) {
      if (!m[1].startsWith('.')) continue;
      const path = resolve(dirname(file), m[1].replace(/\?raw$/, ''));
      out.push({ path: /\.[a-z]+$/.test(path) ? path : `${path}.ts`, entry });
    }
  }
  return out;
}

const files = sourceFiles(SRC);
const problems = [];
const graph = new Map();
for (const file of files) {
  const from = area(file);
  const edges = [];
  for (const { path: target, entry } of importsOf(file)) {
    // shaders/*.wgsl, style sheets and the like are not layers.
    if (!target.startsWith(SRC) || !target.endsWith('.ts')) continue;
    const to = area(target);
    const allowed = ALLOWED[from];
    if (!allowed) problems.push(`${relative(SRC, file)}: src/${from} has no entry in the layer table`);
    else if (to !== from && !allowed.includes(to)) {
      problems.push(
        `${relative(SRC, file)} imports ${relative(SRC, target)}: src/${from} may not import src/${to}`,
      );
    }
    if (!entry) edges.push(target);
  }
  graph.set(file, edges);
}

// Cycles: Tarjan's strongly connected components over the file graph.
let index = 0;
const stack = [];
const info = new Map();
function connect(v) {
  info.set(v, { index, low: index, onStack: true });
  index++;
  stack.push(v);
  for (const w of graph.get(v) ?? []) {
    if (!graph.has(w)) continue;
    if (!info.has(w)) {
      connect(w);
      info.get(v).low = Math.min(info.get(v).low, info.get(w).low);
    } else if (info.get(w).onStack) info.get(v).low = Math.min(info.get(v).low, info.get(w).index);
  }
  if (info.get(v).low === info.get(v).index) {
    const component = [];
    let w;
    do {
      w = stack.pop();
      info.get(w).onStack = false;
      component.push(relative(SRC, w));
    } while (w !== v);
    if (component.length > 1) problems.push(`import cycle: ${component.sort().join(' ↔ ')}`);
  }
}
for (const file of files) if (!info.has(file)) connect(file);

if (problems.length) {
  console.error(`check-layers: ${problems.length} problem(s)\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
console.log(`check-layers: ${files.length} files, every import goes downward, no cycles`);
