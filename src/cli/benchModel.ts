// `sparsescope bench-model`: whole-model timings, dense vs sparse, in one run on one backend: prefill of
// several lengths and per-token decode, per layer and in total, at several densities of the sparse twin.
import { writeFileSync } from 'node:fs';
import { summarize } from '../bench/stats';
import { formatTable } from '../bench/table';
import type { LayerTiming, WeightPath } from '../contracts';
import type { Backend } from '../engine/backend';
import { CpuBackend } from '../engine/cpu/cpuBackend';
import { totalMs } from '../engine/timings';
import { WebGpuBackend } from '../engine/webgpu/webgpuBackend';
import { Rng } from '../math/rng';
import { choiceFlag, numberFlag, numberListFlag, type ParsedArgs, stringFlag } from './args';
import { openBackend } from './gpu';
import { loadModel, makePair } from './loadModel';

export interface ModelBenchRecord {
  density: number;
  path: WeightPath;
  mode: 'prefill' | 'decode';
  tokens: number; // prefill length, or the context length a decode step runs at
  medianMs: number;
  p10Ms: number;
  p90Ms: number;
  samples: number;
  /** Median per-block times (attn + mlp) of the sample closest to the median total. */
  layers: { layer: number; attnMs: number; mlpMs: number }[];
  backend: string;
  timer: string;
}

function layersOf(timings: LayerTiming[], path: WeightPath, nLayer: number) {
  const get = (l: number, op: string) =>
    timings.find((t) => t.layer === l && t.op === op && t.path === path)?.ms ?? Number.NaN;
  return Array.from({ length: nLayer }, (_, l) => ({
    layer: l,
    attnMs: get(l, 'attn'),
    mlpMs: get(l, 'mlp'),
  }));
}

type Run = () => Promise<LayerTiming[]>;

/**
 * The project's protocol for one point: a warm-up of every path (plan building, first-use costs; never
 * reported), then the paths interleaved, the order alternating each round, so that a change of load on
 * a shared machine hits dense and sparse alike.
 */
async function measureInterleaved(runs: [WeightPath, Run][], samples: number) {
  for (const [, run] of runs) await run();
  const all = new Map<WeightPath, LayerTiming[][]>(runs.map(([path]) => [path, []]));
  for (let s = 0; s < samples; s++) {
    for (const [path, run] of s % 2 ? [...runs].reverse() : runs) all.get(path)?.push(await run());
  }
  return new Map(runs.map(([path]) => [path, pick(all.get(path) ?? [], path)]));
}

function pick(all: LayerTiming[][], path: WeightPath) {
  const totals = all.map((timings) => totalMs(timings, path));
  const stats = summarize(totals);
  const closest =
    all[
      totals.indexOf(
        [...totals].sort((a, b) => Math.abs(a - stats.medianMs) - Math.abs(b - stats.medianMs))[0],
      )
    ];
  return { stats, timings: closest };
}

export async function benchModelCommand(args: ParsedArgs): Promise<number> {
  const model = loadModel(stringFlag(args, 'model', 'gpt2-small')!, numberFlag(args, 'seed', 0));
  const { config } = model.weights;
  const prefills = numberListFlag(args, 'prefill', [1, 64, 256]);
  const densities = numberListFlag(args, 'densities', [1 / 4, 1 / 16, 1 / 64]);
  const decodeAt = Math.min(numberFlag(args, 'decode-at', 64), config.nCtx - 1);
  const samples = numberFlag(args, 'samples', 3);
  // --sparse-embeddings: prune the tied embedding too, so the sparse path's unembedding is CSR as well.
  const embeddings = args.flags.has('sparse-embeddings');
  const opened = await openBackend(choiceFlag(args, 'backend', ['webgpu', 'cpu'] as const, 'webgpu'));
  const backend: Backend =
    opened.kind === 'webgpu' ? new WebGpuBackend(opened.ctx) : new CpuBackend(opened.reason);
  const timer = opened.kind === 'webgpu' ? (backend as WebGpuBackend).timerSource : 'wall';
  console.log(
    `model ${model.name}; backend ${backend.description}; timer ${timer}; ${samples} samples per point`,
  );
  const rng = new Rng(7);
  const tokensOf = (n: number) => Array.from({ length: n }, () => rng.int(config.vocabSize));
  const records: ModelBenchRecord[] = [];
  for (const density of densities) {
    const t0 = performance.now();
    await backend.prepare(makePair(model.weights, density, 4, embeddings));
    console.log(
      `density ${density}: twin built and uploaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    // dense does not depend on the density: measured (interleaved with sparse) at the first one only
    const paths: WeightPath[] = density === densities[0] ? ['dense', 'sparse'] : ['sparse'];
    for (const n of prefills) {
      const tokens = tokensOf(n);
      const measured = await measureInterleaved(
        paths.map((path): [WeightPath, Run] => [
          path,
          async () => (await backend.forward(tokens, { path, activations: false })).timings,
        ]),
        samples,
      );
      for (const path of paths) {
        const { stats, timings } = measured.get(path) ?? pick([], path);
        records.push({
          density: path === 'dense' ? 1 : density,
          path,
          mode: 'prefill',
          tokens: n,
          ...stats,
          layers: layersOf(timings, path, config.nLayer),
          backend: backend.description,
          timer,
        });
        process.stderr.write(`  ${path} prefill ${n}: ${stats.medianMs.toFixed(2)} ms\n`);
      }
    }
    const context = tokensOf(decodeAt);
    const decodes = await measureInterleaved(
      paths.map((path): [WeightPath, Run] => [
        path,
        async () => {
          await backend.forward(context, { path, activations: false, logits: 'last' });
          return (
            await backend.forward(tokensOf(1), { path, append: true, activations: false, logits: 'last' })
          ).timings;
        },
      ]),
      samples,
    );
    for (const path of paths) {
      const { stats, timings } = decodes.get(path) ?? pick([], path);
      records.push({
        density: path === 'dense' ? 1 : density,
        path,
        mode: 'decode',
        tokens: decodeAt,
        ...stats,
        layers: layersOf(timings, path, config.nLayer),
        backend: backend.description,
        timer,
      });
      process.stderr.write(`  ${path} decode at ${decodeAt}: ${stats.medianMs.toFixed(2)} ms\n`);
    }
  }
  const dense = (mode: string, tokens: number) =>
    records.find((r) => r.path === 'dense' && r.mode === mode && r.tokens === tokens)?.medianMs ?? Number.NaN;
  const rows = records.map((r) => [
    r.path,
    r.path === 'dense' ? '—' : r.density,
    r.mode,
    r.tokens,
    r.medianMs,
    r.p10Ms,
    r.p90Ms,
    r.path === 'sparse' ? dense(r.mode, r.tokens) / r.medianMs : '—',
  ]);
  console.log(
    formatTable(['path', 'density', 'mode', 'tokens', 'median ms', 'p10', 'p90', 'speedup vs dense'], rows),
  );
  const jsonPath = stringFlag(args, 'json');
  if (jsonPath) {
    writeFileSync(
      jsonPath,
      `${JSON.stringify({ model: model.name, config, embeddings, date: new Date().toISOString(), records }, null, 1)}\n`,
    );
    console.log(`wrote ${jsonPath}`);
  }
  backend.dispose();
  return 0;
}
