// The WebGPU attention core, one GPT-2-small layer (12 heads × 64, d 768): the one-workgroup-per-query
// kernel (shaders/attention.wgsl, before this change) against the fused kernels (attention_fused_flash.wgsl
// for prefill, attention_fused_split.wgsl + attention_fused_combine.wgsl for decode), same adapter, same run. The fused
// column forces the variant a real GPU gets (flash for T ≥ 32, else split; --fused picks one for every
// point); the last column says what
// this adapter's plans run (chooseAttentionVariant: short calls stay 'naive' on a CPU-emulated adapter).
//   node --import ./bin/raw-register.mjs --import tsx scripts/bench-attention-gpu.ts [--prefill 8,30,64,256]
//        [--decode-at 255,1023] [--rounds 5] [--fused gpu|flash|split]
// GPU timestamps per pass (wall clock around onSubmittedWorkDone without them). Protocol: one warm-up
// dispatch of each (never reported), then the kernels interleaved for `rounds` rounds; medians with
// p10–p90. A benchmark, not a test: it prints a table and asserts nothing.
import os from 'node:os';
import { compareSummaries, summarize } from '../src/bench/stats';
import { uniformU32, uploadStorage } from '../src/gpu/buffers';
import { GpuContext } from '../src/gpu/context';
import { AttentionKernel } from '../src/gpu/kernels/attention';
import { FLASH_BQ, FlashAttentionKernel } from '../src/gpu/kernels/attentionFused';
import { type Dispatch, disposeDispatches, encodeDispatch } from '../src/gpu/kernels/dispatch';
import { GpuTimer } from '../src/gpu/timer';
import { Rng } from '../src/math/rng';
import { createNodeGpu } from '../src/node/dawn';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const list = (s: string) => (s ? s.split(',').map(Number) : []);
const rounds = Number(arg('rounds', '5'));
const nHead = 12;
const d = 768;
const nCtx = 1024;

const gpu = await createNodeGpu();
const ctx = await GpuContext.create(gpu, { onError: (m) => console.error(`WebGPU error: ${m}`) });
const { device } = ctx;
const naive = await AttentionKernel.create(ctx, nCtx);
const fused = await FlashAttentionKernel.create(ctx, d / nHead, nCtx);
const timer = new GpuTimer(device, 4);

async function time(dispatches: Dispatch[]): Promise<number> {
  const encoder = device.createCommandEncoder({ label: 'Bench.attention' });
  timer.begin();
  const timestampWrites = timer.pass('attention');
  const pass = encoder.beginComputePass({ label: 'Bench.attention', timestampWrites });
  for (const x of dispatches) encodeDispatch(pass, x);
  pass.end();
  const readback = timer.resolve(encoder);
  await device.queue.onSubmittedWorkDone();
  const t0 = performance.now();
  device.queue.submit([encoder.finish()]);
  if (timer.source === 'gpu-timestamp') return (await timer.read(readback))[0].ms;
  await device.queue.onSubmittedWorkDone();
  return performance.now() - t0;
}

async function point(label: string, t: number, pos0: number): Promise<void> {
  const rng = new Rng(t + pos0);
  const b = {
    qkv: uploadStorage(device, 'Bench.qkv', rng.uniformArray(t * 3 * d, -1, 1)),
    kcache: uploadStorage(device, 'Bench.k', rng.uniformArray(nCtx * d, -1, 1)),
    vcache: uploadStorage(device, 'Bench.v', rng.uniformArray(nCtx * d, -1, 1)),
    out: uploadStorage(device, 'Bench.out', new Float32Array(t * d)),
    step: uniformU32(device, 'Bench.step', [pos0]),
  };
  // The fused variant a real GPU runs at this T (the adapter's own choice may be 'naive': see the header).
  const forced = arg('fused', 'gpu');
  const variant = forced === 'flash' || forced === 'split' ? forced : t >= FLASH_BQ ? 'flash' : 'split';
  const fusedBound = fused.bind(b, { t, d, nHead }, 'Bench.fused', variant);
  const kernels = { naive: [naive.bind(b, { t, d, nHead })], fused: fusedBound.dispatches };
  const samples = { naive: [] as number[], fused: [] as number[] };
  await time(kernels.naive);
  await time(kernels.fused);
  for (let r = 0; r < rounds; r++) {
    for (const name of r % 2 ? (['fused', 'naive'] as const) : (['naive', 'fused'] as const)) {
      samples[name].push(await time(kernels[name]));
    }
  }
  const a = summarize(samples.naive);
  const f = summarize(samples.fused);
  const fmt = (s: typeof a) => `${s.medianMs.toFixed(2)} (${s.p10Ms.toFixed(2)}–${s.p90Ms.toFixed(2)})`;
  const { ratio, clear } = compareSummaries(a, f);
  const verdict = clear ? `${ratio.toFixed(1)}×` : 'no clear difference';
  console.log(
    `| ${label} | ${fusedBound.variant} | ${fmt(a)} | ${fmt(f)} | ${verdict} | ${fused.variantFor(t)} |`,
  );
  disposeDispatches([...kernels.naive, ...kernels.fused]);
  for (const x of Object.values(b)) x.destroy();
}

console.log(
  `${ctx.adapterLabel}, timer ${timer.source}, ${rounds} rounds, load ${os.loadavg()[0].toFixed(1)}`,
);
console.log(
  '| point | fused variant | one workgroup per query, ms (p10–p90) | fused, ms (p10–p90) | speedup |',
);
console.log('|---|---|---|---|---|');
for (const t of list(arg('prefill', '8,30,64,256'))) await point(`prefill T = ${t}`, t, 0);
for (const p of list(arg('decode-at', '255,1023'))) await point(`decode at position ${p}`, 1, p);
console.log(`load after: ${os.loadavg()[0].toFixed(1)}`);
timer.dispose();
ctx.dispose();
