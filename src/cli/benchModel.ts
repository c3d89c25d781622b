// `sparsescope bench-model`: whole-model timings, dense vs sparse, in one run on one backend: prefill of
// several lengths and per-token decode, per layer and in total, at several densities of the sparse twin.
import { writeFileSync } from 'node:fs';
import { formatTable } from '../bench/table';
import type { LayerTiming, WeightPath } from '../contracts';
import type { Backend } from '../engine/backend';
import { CpuBackend } from '../engine/cpu/cpuBackend';
import { type MeasureOptions, measurePaths } from '../engine/measure';
import { WebGpuBackend } from '../engine/webgpu/webgpuBackend';
import { withGpuErrors } from '../gpu/limits';
import { Rng } from '../math/rng';
import { compareTotals } from '../math/stats';
import { choiceFlag, numberFlag, numberListFlag, type ParsedArgs, stringFlag, UsageError } from './args';
import { type FlagTable, flag, strictFlags } from './flags';
import { openBackend } from './gpu';
import { loadModel, makePair } from './loadModel';
import { MEASURE_FLAGS, measureFlags } from './measureFlags';
import { TUNE_FLAGS, tuneOptions, tuningLine } from './tuneFlags';

export interface ModelBenchRecord {
  density: number;
  path: WeightPath;
  mode: 'prefill' | 'decode';
  tokens: number; // prefill length, or the context length a decode step runs at
  /** The whole forward: median, p10, p90 of each run's own sum, over `samples` interleaved runs. */
  medianMs: number;
  p10Ms: number;
  p90Ms: number;
  samples: number;
  /** Same fields under the protocol's names (ms = median), as in `run --json`. */
  ms: number;
  p10: number;
  p90: number;
  /** Wall time of the warm-up forward (start-up), not in the samples. */
  warmupMs: number;
  /** Sparse records: the dense median of the same interleaved runs, and whether the spreads are apart. */
  denseMs?: number;
  clear?: boolean;
  /** Per block: the median attention and MLP times, with p10–p90. */
  layers: { layer: number; attnMs: number; mlpMs: number; attn: Spread3; mlp: Spread3 }[];
  /** Ops repeated inside one run (shorter than the timer resolves), by op. */
  repeats: Record<string, number>;
  backend: string;
  timer: string;
}

type Spread3 = { ms: number; p10: number; p90: number; samples: number };

function layersOf(timings: LayerTiming[], path: WeightPath, nLayer: number) {
  const get = (l: number, op: string): Spread3 => {
    const t = timings.find((x) => x.layer === l && x.op === op && x.path === path);
    return {
      ms: t?.ms ?? Number.NaN,
      p10: t?.p10 ?? Number.NaN,
      p90: t?.p90 ?? Number.NaN,
      samples: t?.samples ?? 0,
    };
  };
  return Array.from({ length: nLayer }, (_, l) => {
    const attn = get(l, 'attn');
    const mlp = get(l, 'mlp');
    return { layer: l, attnMs: attn.ms, mlpMs: mlp.ms, attn, mlp };
  });
}

/** Every flag `bench-model` takes. */
const BENCH_MODEL_FLAGS = {
  model: flag.text('a preset or a model.safetensors (default gpt2-small)'),
  seed: flag.seed(),
  prefill: flag.ints(1, 1 << 20, undefined, 'prompt lengths'),
  densities: flag.densities(),
  'decode-at': flag.int(1, 1 << 20, 'context length of a decode step'),
  'sparse-embeddings': flag.bool('prune the tied embedding too'),
  json: flag.text('write the records here'),
  backend: flag.backend(),
  ...MEASURE_FLAGS,
  ...TUNE_FLAGS,
} satisfies FlagTable;

export async function benchModelCommand(rawArgs: ParsedArgs): Promise<number> {
  const args = strictFlags(rawArgs, BENCH_MODEL_FLAGS);
  const model = loadModel(stringFlag(args, 'model', 'gpt2-small')!, numberFlag(args, 'seed', 0));
  const { config } = model.weights;
  const prefills = numberListFlag(args, 'prefill', [1, 64, 256]);
  const tooLong = prefills.find((n) => n > config.nCtx);
  if (tooLong)
    throw new UsageError(`--prefill ${tooLong} is longer than the model's context (${config.nCtx})`);
  const densities = numberListFlag(args, 'densities', [1 / 4, 1 / 16, 1 / 64]);
  const decodeAt = Math.min(numberFlag(args, 'decode-at', 64), config.nCtx - 1);
  // Large models: at least 3 interleaved samples per path by default, more while the budget lasts.
  const measureOptions: MeasureOptions = measureFlags(args, {
    minSamples: 3,
    budgetMs: 300,
    maxTotalMs: 120_000,
  });
  // --sparse-embeddings: prune the tied embedding too, so the sparse path's unembedding is CSR as well.
  const embeddings = args.flags.has('sparse-embeddings');
  const tuning = tuneOptions(args); // checked before the backend opens
  const opened = await openBackend(choiceFlag(args, 'backend', ['webgpu', 'cpu'] as const, 'webgpu'));
  const backend: Backend =
    opened.kind === 'webgpu' ? new WebGpuBackend(opened.ctx) : new CpuBackend(opened.reason);
  const timer = opened.kind === 'webgpu' ? (backend as WebGpuBackend).timerSource : 'wall';
  if (backend instanceof WebGpuBackend) backend.tuning = { ...tuning, batches: [1, ...prefills] };
  console.log(
    `model ${model.name}; backend ${backend.description}; timer ${timer}; ≥ ${measureOptions.minSamples} interleaved samples per path and point (warm-up apart)`,
  );
  // Every GPU step inside error scopes: a validation or out-of-memory error fails the command.
  const rng = new Rng(7);
  const tokensOf = (n: number) => Array.from({ length: n }, () => rng.int(config.vocabSize));
  const records: ModelBenchRecord[] = [];
  const device = opened.kind === 'webgpu' ? opened.ctx.device : null;
  await withGpuErrors(device, 'bench-model', async () => {
    for (const density of densities) {
      const t0 = performance.now();
      await backend.prepare(makePair(model.weights, density, 4, embeddings));
      if (backend instanceof WebGpuBackend) console.log(tuningLine(backend.tuned));
      console.log(
        `density ${density}: twin built and uploaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );
      // Dense and sparse interleaved at every point (the dense record is kept once: it does not depend on
      // the density); each sparse record carries the dense median of its own runs.
      const point = async (
        mode: 'prefill' | 'decode',
        tokens: number,
        run: (
          path: WeightPath,
          repeats: Readonly<Record<string, number>>,
        ) => Promise<{ timings: LayerTiming[] }>,
      ) => {
        const m = await measurePaths(['dense', 'sparse'], run, measureOptions);
        const dense = m.paths.dense!;
        const sparse = m.paths.sparse!;
        const { clear } = compareTotals(dense.total, sparse.total);
        for (const p of [dense, sparse]) {
          if (p.path === 'dense' && density !== densities[0]) continue;
          records.push({
            density: p.path === 'dense' ? 1 : density,
            path: p.path,
            mode,
            tokens,
            medianMs: p.total.ms,
            p10Ms: p.total.p10,
            p90Ms: p.total.p90,
            ...p.total, // ms, p10, p90, samples
            warmupMs: p.warmupMs,
            ...(p.path === 'sparse' ? { denseMs: dense.total.ms, clear } : {}),
            layers: layersOf(p.timings, p.path, config.nLayer),
            repeats: m.repeats,
            backend: backend.description,
            timer,
          });
        }
        process.stderr.write(
          `  ${mode} ${tokens}: dense ${dense.total.ms.toFixed(2)} ms, sparse ${sparse.total.ms.toFixed(2)} ms (${sparse.total.samples} samples)\n`,
        );
      };
      for (const n of prefills) {
        const tokens = tokensOf(n);
        await point('prefill', n, (path, repeats) =>
          backend.forward(tokens, { path, activations: false, repeats }),
        );
      }
      const context = tokensOf(decodeAt);
      const next = tokensOf(1);
      await point('decode', decodeAt, async (path, repeats) => {
        await backend.forward(context, { path, activations: false, logits: 'last' });
        return backend.forward(next, { path, append: true, activations: false, logits: 'last', repeats });
      });
    }
  });
  const rows = records.map((r) => [
    r.path,
    r.path === 'dense' ? '—' : r.density,
    r.mode,
    r.tokens,
    r.medianMs,
    r.p10Ms,
    r.p90Ms,
    r.samples,
    r.warmupMs,
    r.path === 'sparse' && r.denseMs !== undefined
      ? `${(r.denseMs / r.medianMs).toPrecision(3)}${r.clear ? '' : ' (no clear difference)'}`
      : '—',
  ]);
  console.log(
    formatTable(
      [
        'path',
        'density',
        'mode',
        'tokens',
        'median ms',
        'p10',
        'p90',
        'samples',
        'start-up ms',
        'speedup vs dense (same runs)',
      ],
      rows,
    ),
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
