// The autotuner against today's defaults on this machine's WebGPU adapter (Dawn in Node): tune the GPT-2
// small layer shapes (dense, and CSR at one density) at the given batches from scratch within a budget, then
// time each shape's tuned kernel and its default kernel interleaved in the same run (warm-up apart, medians
// with p10–p90). A benchmark, not a test: it prints a table, writes JSON, and asserts nothing.
//   npx tsx scripts/bench-autotune.ts [--budget-ms 10000] [--batches 1,64] [--density 1/64] [--samples 7]
//                                     [--out docs/bench/autotune-swiftshader.json]
import { writeFileSync } from 'node:fs';
import { register } from 'node:module';
import { loadavg } from 'node:os';

register(new URL('../bin/raw-hooks.mjs', import.meta.url));

const { storageBuffer, uploadStorage } = await import('../src/gpu/buffers');
const { GpuContext } = await import('../src/gpu/context');
const { disposeDispatches } = await import('../src/gpu/kernels/dispatch');
type Dispatch = import('../src/gpu/kernels/dispatch').Dispatch;
const { DenseMatmul } = await import('../src/gpu/kernels/matmul');
const { CsrSpmm, csrTuningFor } = await import('../src/gpu/kernels/spmmCsr');
const { GpuTiming } = await import('../src/gpu/timing');
const { prepareTuning } = await import('../src/gpu/autotune/prepare');
const { adapterCaps } = await import('../src/gpu/autotune/tuner');
const { defaultCsrChoice, defaultDenseChoice, describeChoice } = await import(
  '../src/gpu/autotune/candidates'
);
type KernelChoice = import('../src/gpu/autotune/candidates').KernelChoice;
const { spreadCsr } = await import('../src/gpu/autotune/trials');
const { percentile } = await import('../src/math/stats');
const { Rng } = await import('../src/math/rng');
const { createNodeGpu } = await import('../src/node/dawn');

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const budgetMs = Number(arg('budget-ms', '10000'));
const batches = arg('batches', '1,64').split(',').map(Number);
const densityText = arg('density', '1/64');
const [num, den] = densityText.split('/').map(Number);
const density = den ? num / den : num;
const samples = Number(arg('samples', '7'));
const out = arg('out', '');

const SHAPES = [
  { n: 2304, k: 768, label: 'qkv 2304×768' },
  { n: 768, k: 768, label: 'attn.proj 768×768' },
  { n: 3072, k: 768, label: 'fc 3072×768' },
  { n: 768, k: 3072, label: 'fc.proj 768×3072' },
];

const ctx = await GpuContext.create(await createNodeGpu());
const { device } = ctx;
console.log(
  `adapter: ${ctx.adapterLabel}; load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
const nnzPerRow = (k: number) => Math.max(1, density * k);
const request = {
  dense: SHAPES.flatMap(({ n, k }) => batches.map((batch) => ({ batch, n, k }))),
  csr: SHAPES.flatMap(({ n, k }) => batches.map((batch) => ({ batch, n, k, nnzPerRow: nnzPerRow(k) }))),
};
const t0 = performance.now();
const tuned = await prepareTuning(ctx, request, {
  mode: 'retune',
  budgetMs,
  onProgress: (p) =>
    process.stderr.write(
      `\r[tuning ${p.done}/${p.total} ${(p.elapsedMs / 1000).toFixed(1)} s] ${p.current.padEnd(40)}`,
    ),
});
const tuningMs = performance.now() - t0;
process.stderr.write('\n');
console.log(`tuning: ${(tuningMs / 1000).toFixed(1)} s of a ${(budgetMs / 1000).toFixed(1)} s budget`);

const rng = new Rng(3);
const timing = new GpuTiming(device, 1, 'BenchAutotune');
const caps = adapterCaps(ctx);
const csrDefault = csrTuningFor(ctx);

/** A dispatch of one choice on the given operands, and its kernel to free. */
async function bindChoice(
  choice: KernelChoice,
  ops: {
    x: GPUBuffer;
    w?: GPUBuffer;
    csr?: import('../src/gpu/kernels/spmmCsr').CsrBuffers;
    bias: GPUBuffer;
    y: GPUBuffer;
  },
  shape: { batch: number; n: number; k: number },
): Promise<{ d: Dispatch; dispose(): void }> {
  const biasModes = ['bias'] as const;
  if (choice.family === 'dense') {
    const kernel = await DenseMatmul.create(ctx, {
      tuning: choice.tuning,
      variants: [choice.variant],
      biasModes,
    });
    const d = kernel.bind({ x: ops.x, w: ops.w!, bias: ops.bias, y: ops.y }, shape, choice.variant);
    return {
      d,
      dispose: () => {
        disposeDispatches([d]);
        kernel.dispose();
      },
    };
  }
  const kernel = await CsrSpmm.create(ctx, { tuning: choice.tuning, variants: [choice.variant], biasModes });
  const d = kernel.bind({ x: ops.x, csr: ops.csr!, bias: ops.bias, y: ops.y }, shape, choice.variant);
  return {
    d,
    dispose: () => {
      disposeDispatches([d]);
      kernel.dispose();
    },
  };
}

const run = async (d: Dispatch, repeats: number) =>
  (await timing.run([{ kind: 'pass', label: 'BenchAutotune.pass', dispatches: [d], repeats }]))[0];

const spread = (xs: number[]) => ({
  ms: percentile(xs, 50),
  p10: percentile(xs, 10),
  p90: percentile(xs, 90),
});
const rows: Record<string, unknown>[] = [];
for (const path of ['dense', 'sparse'] as const) {
  for (const s of SHAPES) {
    for (const batch of batches) {
      const shape = { batch, n: s.n, k: s.k };
      const resolved =
        path === 'dense'
          ? tuned.chooser.dense(shape)
          : tuned.chooser.csr({ ...shape, nnzPerRow: nnzPerRow(s.k) });
      const base =
        path === 'dense'
          ? defaultDenseChoice(shape, caps.fallbackAdapter)
          : defaultCsrChoice(batch, caps, csrDefault);
      const x = uploadStorage(device, 'B.x', rng.uniformArray(batch * s.k));
      const bias = uploadStorage(device, 'B.bias', rng.uniformArray(s.n));
      const y = storageBuffer(device, 'B.y', 4 * batch * s.n);
      const w = path === 'dense' ? uploadStorage(device, 'B.w', rng.uniformArray(s.n * s.k)) : undefined;
      const uploader = await CsrSpmm.create(ctx, { variants: [] });
      const csr =
        path === 'sparse'
          ? uploader.upload(device, spreadCsr(rng, s.n, s.k, nnzPerRow(s.k)), 'B.csr')
          : undefined;
      const a = await bindChoice(base, { x, w, csr, bias, y }, shape);
      const b = await bindChoice(resolved.choice, { x, w, csr, bias, y }, shape);
      // Warm-up (untimed), calibrate the repeats on the default, then interleave default and tuned.
      await run(a.d, 1);
      await run(b.d, 1);
      const once = await run(a.d, 1);
      const repeats = Math.max(1, Math.min(64, Math.ceil(4 / Math.max(once, 1e-3))));
      const ta: number[] = [];
      const tb: number[] = [];
      for (let i = 0; i < samples; i++) {
        ta.push(await run(a.d, repeats));
        tb.push(await run(b.d, repeats));
      }
      a.dispose();
      b.dispose();
      for (const buf of [x, bias, y, w]) buf?.destroy();
      csr?.dispose();
      uploader.dispose();
      const def = spread(ta);
      const tun = spread(tb);
      const row = {
        path,
        shape: s.label,
        batch,
        density: path === 'dense' ? 1 : density,
        defaultKernel: describeChoice(base),
        defaultMs: def,
        tunedKernel: describeChoice(resolved.choice),
        how: resolved.how,
        tunedMs: tun,
        speedup: def.ms / tun.ms,
        verdict:
          describeChoice(base) === describeChoice(resolved.choice)
            ? 'same kernel'
            : def.p10 > tun.p90
              ? 'tuned faster'
              : tun.p10 > def.p90
                ? 'default faster'
                : 'no clear difference',
        repeats,
        samples,
      };
      rows.push(row);
      const f = (v: { ms: number; p10: number; p90: number }) =>
        `${v.ms.toFixed(3)} (${v.p10.toFixed(3)}–${v.p90.toFixed(3)})`;
      console.log(
        [
          path,
          s.label,
          `b${batch}`,
          row.defaultKernel,
          f(def),
          row.tunedKernel,
          row.how,
          f(tun),
          row.speedup.toFixed(2),
        ].join(' | '),
      );
    }
  }
}
timing.dispose();
const report = {
  schema: 'sparsescope-autotune-bench/1',
  adapter: ctx.adapterLabel,
  adapterInfo: ctx.info,
  timer: timing.source,
  date: new Date().toISOString(),
  command: `npx tsx scripts/bench-autotune.ts ${process.argv.slice(2).join(' ')}`.trim(),
  loadAverageAtEnd: loadavg(),
  budgetMs,
  tuningMs,
  tuning: tuned.report,
  rows,
};
if (out) {
  writeFileSync(out, `${JSON.stringify(report, null, 1)}\n`);
  console.log(`wrote ${out}`);
}
ctx.dispose();
