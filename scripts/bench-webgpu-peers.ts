// Dense GEMM against @tensorflow/tfjs-backend-webgpu's matMul, in one process on one Dawn adapter:
// y (B×N) = x (B×K)·Wᵀ at GPT-2 layer shapes and square sizes. Both are timed the same way — wall clock
// of the compute plus reading the result back, median of several rounds, interleaved — because tfjs
// exposes no per-kernel timestamps for a single matMul. Our kernel alone (GPU timestamps) is in the
// kernel sweep (`sparsescope bench`).
//   npx tsx --import ./bin/raw-register.mjs scripts/bench-webgpu-peers.ts [--sizes 64x768x3072,...] [--rounds 5]
import { writeFileSync } from 'node:fs';
import { median } from '../src/bench/stats';
import { readFloat32, storageBuffer, uploadStorage } from '../src/gpu/buffers';
import { GpuContext } from '../src/gpu/context';
import { disposeDispatches, runDispatches } from '../src/gpu/kernels/dispatch';
import { chooseDenseVariant, DenseMatmul } from '../src/gpu/kernels/matmul';
import { Rng } from '../src/math/rng';
import { createNodeGpu } from '../src/node/dawn';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const shapes = arg('sizes', '1x768x3072,64x768x3072,512x768x3072,64x768x768,256x256x256,512x512x512')
  .split(',')
  .map((s) => s.split('x').map(Number) as [number, number, number]); // B x K x N
const rounds = Number(arg('rounds', '5'));

const gpu = await createNodeGpu();
(globalThis as { navigator?: unknown }).navigator = { gpu, userAgent: 'node' };
const tf = await import('@tensorflow/tfjs-core');
await import('@tensorflow/tfjs-backend-webgpu');
await tf.setBackend('webgpu');
await tf.ready();
const ctx = await GpuContext.create(gpu);
console.log(`adapter: ${ctx.adapterLabel}; tfjs ${tf.version_core}`);
const rng = new Rng(1);
const rows: Record<string, unknown>[] = [];
for (const [batch, k, n] of shapes) {
  const x = rng.uniformArray(batch * k);
  const w = rng.uniformArray(n * k);
  const variant = chooseDenseVariant({ batch, n, k });
  const kernel = await DenseMatmul.create(ctx, { variants: [variant] });
  const xb = uploadStorage(ctx.device, 'Peers.x', x);
  const wb = uploadStorage(ctx.device, 'Peers.w', w);
  const yb = storageBuffer(ctx.device, 'Peers.y', 4 * batch * n);
  const dispatch = kernel.bind({ x: xb, w: wb, y: yb }, { batch, n, k });
  const ours = async () => {
    runDispatches(ctx.device, [dispatch]);
    await readFloat32(ctx.device, yb, 4 * batch * n);
  };
  const tx = tf.tensor2d(x, [batch, k]);
  const tw = tf.tensor2d(w, [n, k]);
  const theirs = async () => {
    const y = tf.matMul(tx, tw, false, true);
    await y.data();
    y.dispose();
  };
  await ours();
  await theirs(); // warm-up: compiles
  const times = { ours: [] as number[], tfjs: [] as number[] };
  for (let r = 0; r < rounds; r++) {
    for (const [name, fn] of r % 2
      ? ([
          ['tfjs', theirs],
          ['ours', ours],
        ] as const)
      : ([
          ['ours', ours],
          ['tfjs', theirs],
        ] as const)) {
      const t0 = performance.now();
      await fn();
      times[name].push(performance.now() - t0);
    }
  }
  const flops = 2 * batch * n * k;
  const row = {
    shape: `${batch}×${k}·${k}×${n}`,
    variant,
    oursMs: median(times.ours),
    tfjsMs: median(times.tfjs),
    oursGflops: flops / (median(times.ours) * 1e6),
    tfjsGflops: flops / (median(times.tfjs) * 1e6),
  };
  rows.push(row);
  console.log(JSON.stringify(row));
  tx.dispose();
  tw.dispose();
  disposeDispatches([dispatch]);
  kernel.dispose();
  for (const b of [xb, wb, yb]) b.destroy();
}
console.log(
  '\n| shape | our kernel | ours ms | tfjs-webgpu ms | ours GFLOP/s | tfjs GFLOP/s | ours ÷ tfjs time |',
);
console.log('|---|---|---|---|---|---|---|');
for (const r of rows as {
  shape: string;
  variant: string;
  oursMs: number;
  tfjsMs: number;
  oursGflops: number;
  tfjsGflops: number;
}[]) {
  console.log(
    `| ${r.shape} | ${r.variant} | ${r.oursMs.toFixed(1)} | ${r.tfjsMs.toFixed(1)} | ${r.oursGflops.toFixed(2)} | ${r.tfjsGflops.toFixed(2)} | ${(r.oursMs / r.tfjsMs).toFixed(2)} |`,
  );
}
const out = arg('json', 'docs/bench/webgpu-peers.json');
writeFileSync(
  out,
  `${JSON.stringify({ adapter: ctx.adapterLabel, date: new Date().toISOString(), rounds, rows }, null, 1)}\n`,
);
console.log(`wrote ${out}`);
process.exit(0);
