// `sparsescope run`: a GPT-2 forward pass on the dense and/or sparse path, with per-layer timings,
// optional generation, and the logits as JSON.
import { writeFileSync } from 'node:fs';
import { formatTable } from '../bench/table';
import type { ForwardResult, LayerTiming, WeightPath } from '../contracts';
import type { Backend } from '../engine/backend';
import { CpuBackend } from '../engine/cpu/cpuBackend';
import { generate } from '../engine/generate';
import { measuredResult, measurePaths } from '../engine/measure';
import { WebGpuBackend } from '../engine/webgpu/webgpuBackend';
import { withGpuErrors } from '../gpu/limits';
import { topK } from '../math/sampling';
import { compareTotals } from '../math/stats';
import { twinDensity } from '../model/storedSparsity';
import { checkFinite } from '../params/finite';
import { LIMITS } from '../params/limits';
import { choiceFlag, numberFlag, numberListFlag, type ParsedArgs, stringFlag, UsageError } from './args';
import { type FlagTable, flag, strictFlags } from './flags';
import { openBackend } from './gpu';
import { loadModel, makePair, tokenizerFor } from './loadModel';
import { MEASURE_FLAGS, measureFlags, spreadCell } from './measureFlags';
import { TUNE_FLAGS, tuneOptions, tuningLine } from './tuneFlags';

/**
 * Per-layer table: each path's attention and MLP sub-block times — medians with p10–p90 when measured — the
 * block total (sum of the two medians), and the speedup when both paths ran. With `ops`, the listed matmul
 * times instead (qkv, attn.proj, fc, fc.proj).
 */
export function timingTable(
  timings: LayerTiming[],
  paths: WeightPath[],
  nLayer: number,
  ops?: string[],
): string {
  const find = (layer: number, op: string, path: WeightPath) =>
    timings.find((t) => t.layer === layer && t.op === op && t.path === path);
  const get = (layer: number, op: string, path: WeightPath) => find(layer, op, path)?.ms ?? Number.NaN;
  // A measured op shows its median and p10–p90; a single run its time.
  const cell = (layer: number, op: string, path: WeightPath): string | number => {
    const t = find(layer, op, path);
    return t?.p10 !== undefined && t.p90 !== undefined
      ? spreadCell({ ms: t.ms, p10: t.p10, p90: t.p90 })
      : (t?.ms ?? Number.NaN);
  };
  const columns = ops ?? ['attn', 'mlp'];
  const headers = [
    'layer',
    ...paths.flatMap((p) => [...columns.map((op) => `${p} ${op}`), ...(ops ? [] : [`${p} total`])]),
  ];
  if (paths.length === 2) headers.push('speedup');
  const total = (l: number, p: WeightPath) => columns.reduce((s, op) => s + get(l, op, p), 0);
  const rows: (string | number)[][] = [];
  for (let l = 0; l < nLayer; l++) {
    const row: (string | number)[] = [`block ${l}`];
    for (const p of paths) {
      row.push(...columns.map((op) => cell(l, op, p)));
      if (!ops) row.push(total(l, p));
    }
    if (paths.length === 2) row.push(total(l, 'dense') / total(l, 'sparse'));
    rows.push(row);
  }
  if (!ops) {
    const head: (string | number)[] = ['lnf+unembed'];
    const headMs = (p: WeightPath) =>
      timings
        .filter((t) => t.layer === nLayer && t.path === p && ['lnf', 'unembed', 'bigram'].includes(t.op))
        .reduce((s, t) => s + t.ms, 0);
    for (const p of paths) head.push('—', '—', headMs(p));
    if (paths.length === 2) head.push(headMs('dense') / headMs('sparse'));
    rows.push(head);
  }
  return formatTable(headers, rows);
}

/** Every flag `run` takes (anything else is an error with a suggestion). */
const RUN_FLAGS = {
  model: flag.text('a preset name or a model.safetensors (config.json read from beside it)'),
  config: flag.text('the config.json to use (default: the one beside --model)'),
  prompt: flag.text('text to encode with the GPT-2 tokenizer'),
  tokens: flag.ints(0, 2 ** 31 - 1, undefined, 'token ids, e.g. 1,2,3 (instead of --prompt)'),
  path: flag.choice(['dense', 'sparse', 'both']),
  density: flag.density('of the sparse twin (default 1/64)'),
  'min-per-neuron': flag.int(0, 1 << 20, 'weights each neuron keeps at least (default 4)'),
  'sparse-embeddings': flag.bool('prune the tied embedding too'),
  seed: flag.seed('of a preset'),
  generate: flag.int(0, LIMITS.generate, 'tokens to generate greedily'),
  repeats: flag.int(1, LIMITS.repeats, 'dispatches of each timed pass (WebGPU)'),
  detail: flag.bool('the four matmuls of each block'),
  logits: flag.text('write the logits as JSON to this file'),
  json: flag.text('write the per-op medians, p10, p90, samples and the warm-up time here'),
  backend: flag.backend(),
  ...MEASURE_FLAGS,
  ...TUNE_FLAGS,
} satisfies FlagTable;

export async function runCommand(rawArgs: ParsedArgs): Promise<number> {
  const args = strictFlags(rawArgs, RUN_FLAGS);
  const modelSpec = stringFlag(args, 'model');
  if (!modelSpec) throw new UsageError('--model <file.safetensors | preset> is required');
  const pathFlag = choiceFlag(args, 'path', ['dense', 'sparse', 'both'] as const, 'both');
  const paths: WeightPath[] = pathFlag === 'both' ? ['dense', 'sparse'] : [pathFlag];
  const requested = args.flags.has('density') ? numberFlag(args, 'density', 1 / 64) : undefined;
  if (requested !== undefined && !(requested > 0 && requested <= 1))
    throw new UsageError('--density must be in (0, 1]');
  const measureOptions = measureFlags(args);
  if (args.flags.has('prompt') && args.flags.has('tokens'))
    throw new UsageError('give --prompt or --tokens, not both');
  const seed = numberFlag(args, 'seed', 0);
  const generateN = numberFlag(args, 'generate', 0);
  const repeats = numberFlag(args, 'repeats', 1);
  const jsonPath = stringFlag(args, 'json');
  const tuning = tuneOptions(args); // checked before the model loads

  const t0 = performance.now();
  // Progress on stderr (stdout stays the report): a gpt2-small prefill on a slow adapter takes minutes.
  const progress = (what: string) =>
    process.stderr.write(`[${((performance.now() - t0) / 1000).toFixed(1)} s] ${what}\n`);
  const model = loadModel(modelSpec, seed, stringFlag(args, 'config'));
  for (const w of model.warnings) console.error(`warning: ${w}`);
  if (model.archLines) console.log(`circuit_sparsity model:\n  ${model.archLines.join('\n  ')}`);
  const { config } = model.weights;
  const tokenizer = await tokenizerFor(model.weights);
  const tokensFlag = stringFlag(args, 'tokens');
  const prompt = stringFlag(args, 'prompt');
  let tokens: number[];
  if (tokensFlag) tokens = numberListFlag(args, 'tokens', []);
  else if (prompt !== undefined && tokenizer) tokens = tokenizer.encode(prompt);
  else if (prompt !== undefined)
    throw new UsageError(`this model's vocabulary (${config.vocabSize}) has no tokenizer: use --tokens`);
  else throw new UsageError('give --prompt TEXT or --tokens 1,2,3');
  if (tokens.length === 0) throw new UsageError('the prompt encodes to no tokens');
  // A checkpoint that stores its zeros keeps them: no re-pruning unless a lower --density is asked for.
  // (A model that comes as a pair, such as the paper's, has its sparse twin already.)
  const twin = model.pair ? null : twinDensity(model.weights, requested, 1 / 64);
  const density = twin?.density ?? 'exact';
  const pair =
    model.pair ??
    makePair(
      model.weights,
      density,
      numberFlag(args, 'min-per-neuron', 4),
      args.flags.has('sparse-embeddings'),
    );
  const loadMs = performance.now() - t0;

  const opened = await openBackend(choiceFlag(args, 'backend', ['webgpu', 'cpu'] as const, 'webgpu'));
  const backend: Backend =
    opened.kind === 'webgpu' ? new WebGpuBackend(opened.ctx, repeats) : new CpuBackend(opened.reason);
  console.log(
    `model: ${model.name} — ${config.nLayer} layers, d ${config.dModel}, vocab ${config.vocabSize}`,
  );
  const twinText =
    model.pair || density === 'exact'
      ? `the CSR of the stored nonzeros (nothing pruned${twin?.stored ? `; density ${twin.stored.toPrecision(3)}` : ''})`
      : `density ${density} (≥ ${numberFlag(args, 'min-per-neuron', 4)} per neuron)`;
  console.log(`sparse twin: ${twinText}; loaded in ${(loadMs / 1000).toFixed(1)} s`);
  if (twin?.note) console.log(`note: ${twin.note}`);
  console.log(`backend: ${backend.description}${backend.reason ? ` (${backend.reason})` : ''}`);
  console.log(
    `prompt: ${tokens.length} tokens [${tokens.slice(0, 16).join(', ')}${tokens.length > 16 ? ', …' : ''}]`,
  );
  // Every GPU step runs inside error scopes: a validation or out-of-memory error fails the command (and,
  // when a step throws, explains the failure better than its consequence).
  const device = opened.kind === 'webgpu' ? opened.ctx.device : null;
  const measured = await withGpuErrors(device, 'the forward passes', async () => {
    if (backend instanceof WebGpuBackend) backend.tuning = { ...tuning, batches: [tokens.length, 1] };
    await backend.prepare(pair);
    if (backend instanceof WebGpuBackend) console.log(tuningLine(backend.tuned));

    // The measurement protocol (src/engine/measure.ts): a warm-up forward per path (start-up, not in the
    // table), then the paths interleaved until enough samples; medians with p10–p90.
    progress(
      `${paths.join(' and ')}: a warm-up forward of ${tokens.length} tokens per path, then timed ones`,
    );
    return measurePaths(
      paths,
      (path, r) => backend.forward(tokens, { path, activations: false, repeats: r }),
      measureOptions,
    );
  });
  const results = new Map<WeightPath, ForwardResult>(paths.map((p) => [p, measuredResult(measured, p)]));
  for (const [path, result] of results) {
    checkFinite(`${path} logits`, result.logits, (i) => {
      const row = Math.floor(i / config.vocabSize);
      return `token ${row + 1}, id ${i - row * config.vocabSize}`;
    });
  }
  const timings = [...results.values()].flatMap((r) => r.timings);
  const source = timings[0]?.source === 'gpu-timestamp' ? 'GPU timestamps' : 'wall clock';
  const samples = Math.min(...paths.map((p) => measured.paths[p]!.total.samples));
  const repeated = Object.entries(measured.repeats).map(([op, n]) => `${op} ×${n}`);
  console.log(
    `\nper-layer times in ms, median (p10–p90) of ${samples} interleaved runs per path (${source}; prefill of ${tokens.length} tokens)`,
  );
  if (repeated.length) {
    console.log(
      `ops shorter than the timer resolves (${measured.resolutionMs.toPrecision(2)} ms) ran several times per run, time per run shown: ${repeated.join(', ')}`,
    );
  }
  console.log(timingTable(timings, paths, config.nLayer));
  if (args.flags.has('detail')) {
    console.log('\nmatmuls inside the blocks, ms:');
    console.log(timingTable(timings, paths, config.nLayer, ['qkv', 'attn.proj', 'fc', 'fc.proj']));
  }
  for (const path of paths) {
    const p = measured.paths[path]!;
    console.log(
      `${path} forward: ${spreadCell(p.total)} ms over ${p.total.samples} runs (each run's own sum); start-up (first run, not counted) ${p.warmupMs.toFixed(1)} ms`,
    );
  }
  let comparison: ReturnType<typeof compareTotals> | null = null;
  if (paths.length === 2) {
    comparison = compareTotals(measured.paths.dense!.total, measured.paths.sparse!.total);
    console.log(
      `speedup (dense / sparse, medians of the same interleaved runs): ${comparison.ratio.toFixed(2)}×${comparison.clear ? '' : ' — no clear difference (the p10–p90 ranges overlap)'}`,
    );
  }
  for (const [path, result] of results) {
    const last = result.logits.subarray(result.logits.length - config.vocabSize);
    const top = topK(last, 5)
      .map((t) => `${tokenizer ? JSON.stringify(tokenizer.decode([t.id])) : t.id} ${(100 * t.p).toFixed(1)}%`)
      .join(', ');
    console.log(`${path} next token: ${top}`);
  }

  if (generateN > 0) {
    for (const path of paths) {
      const ids: number[] = [];
      process.stdout.write(`${path} generation: `);
      progress(`${path}: generating ${generateN} tokens`);
      for await (const token of generate(backend, tokens, {
        path,
        maxNewTokens: generateN,
        nCtx: config.nCtx,
      })) {
        ids.push(token.id);
        process.stdout.write(tokenizer ? tokenizer.decode([token.id]) : `${token.id} `);
      }
      process.stdout.write('\n');
    }
  }

  const logitsPath = stringFlag(args, 'logits');
  if (logitsPath) {
    const rows = (r: ForwardResult) =>
      Array.from({ length: r.logits.length / config.vocabSize }, (_, i) =>
        Array.from(r.logits.subarray(i * config.vocabSize, (i + 1) * config.vocabSize)),
      );
    const first = results.get(paths[0])!;
    const out: Record<string, unknown> = { path: paths[0], tokens, logits: rows(first) };
    if (paths.length === 2) out.sparseLogits = rows(results.get('sparse')!);
    writeFileSync(logitsPath, JSON.stringify(out));
    console.log(`logits written to ${logitsPath}`);
  }
  if (jsonPath) {
    const out = {
      schema: 'sparsescope-run/1',
      model: model.name,
      backend: backend.description,
      timer: source,
      tokens,
      density,
      storedDensity: twin?.stored ?? null,
      resolutionMs: measured.resolutionMs,
      repeats: measured.repeats,
      paths: Object.fromEntries(
        paths.map((p) => {
          const m = measured.paths[p]!;
          return [p, { total: m.total, warmupMs: m.warmupMs, timings: m.timings }];
        }),
      ),
      speedup: comparison,
    };
    writeFileSync(jsonPath, `${JSON.stringify(out, null, 1)}\n`);
    console.log(`timings written to ${jsonPath}`);
  }
  backend.dispose();
  return 0;
}
