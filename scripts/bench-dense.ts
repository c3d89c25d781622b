// Dense matmul kernels head to head on this machine's WebGPU adapter (Dawn in Node): GFLOP/s per variant,
// median of several timed passes (GPU timestamps when the adapter has them, else wall clock).
//   npx tsx scripts/bench-dense.ts [--reps 5] [--shapes 64x768x3072,1x768x3072] [--variants tiled,gemv,naive]
//                                  [--tiled TX,TY,RM,RN,BK] [--gemv ROWS,LANES]
// On a CPU-emulated adapter (SwiftShader) on a shared machine, wall and GPU time swing with other load:
// the process CPU time per run (SwiftShader's worker threads are in this process) is the steadier number.
// A benchmark, not a test: it prints a table and asserts nothing.
import { register } from 'node:module';

// `*.wgsl?raw` imports outside Vite (same hooks as bin/sparsescope.mjs); must precede the kernel import.
register(new URL('../bin/raw-hooks.mjs', import.meta.url));

const { poisonBuffer, storageBuffer, uploadStorage } = await import('../src/gpu/buffers');
const { GpuContext } = await import('../src/gpu/context');
const { disposeDispatches, encodeDispatch } = await import('../src/gpu/kernels/dispatch');
type Dispatch = import('../src/gpu/kernels/dispatch').Dispatch;
const { DenseMatmul, chooseDenseVariant, denseTuningFor } = await import('../src/gpu/kernels/matmul');
const { GpuTimer, wallTimeMs } = await import('../src/gpu/timer');
const { Rng } = await import('../src/math/rng');
const { createNodeGpu } = await import('../src/node/dawn');

type Request = 'tiled' | 'gemv' | 'naive' | 'tiled-scalar' | 'gemv-scalar';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const reps = Number(arg('reps', '5'));
const shapes = arg('shapes', '64x768x3072,1x768x3072')
  .split(',')
  .map((s) => {
    const [batch, k, n] = s.split('x').map(Number);
    return { batch, n, k };
  });
const requests = arg('variants', 'tiled,gemv,naive').split(',') as Request[]; // checked by chooseDenseVariant
const [TX, TY, RM, RN, BK] = arg('tiled', '').split(',').map(Number);
const [ROWS, LANES] = arg('gemv', '').split(',').map(Number);
const ctx = await GpuContext.create(await createNodeGpu());
const { device } = ctx;
const defaults = denseTuningFor(ctx.info.isFallbackAdapter);
const tuning = {
  tiled: TX ? { TX, TY, RM, RN, BK } : defaults.tiled,
  gemv: ROWS ? { ROWS, LANES } : defaults.gemv,
};
console.log(`adapter: ${ctx.adapterLabel}; tuning ${JSON.stringify(tuning)}`);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const variants = [...new Set(shapes.flatMap((s) => requests.map((r) => chooseDenseVariant(s, r))))];
const dense = await DenseMatmul.create(ctx, { tuning, variants });
const cpu = process.cpuUsage(cpu0);
console.log(
  `DenseMatmul.create: ${(performance.now() - t0).toFixed(0)} ms wall, ` +
    `${((cpu.user + cpu.system) / 1000).toFixed(0)} ms CPU (${variants.length * 2} pipelines)`,
);
const timer = new GpuTimer(device, 4);
const rng = new Rng(1);
const dispatches: Dispatch[] = [];

for (const shape of shapes) {
  const { batch, n, k } = shape;
  const x = uploadStorage(device, 'Bench.x', rng.uniformArray(batch * k));
  const w = uploadStorage(device, 'Bench.w', rng.uniformArray(n * k));
  const bias = uploadStorage(device, 'Bench.bias', rng.uniformArray(n));
  const y = storageBuffer(device, 'Bench.y', batch * n * 4);
  for (const request of requests) {
    const variant = chooseDenseVariant(shape, request);
    const dispatch = dense.bind({ x, w, bias, y }, shape, variant);
    dispatches.push(dispatch);
    poisonBuffer(device, y, batch * n * 4);
    const times: number[] = [];
    const cpuTimes: number[] = [];
    for (let r = 0; r <= reps; r++) {
      const c0 = process.cpuUsage();
      timer.begin();
      let readback: GPUBuffer | null = null;
      const wall = await wallTimeMs(device, () => {
        const encoder = device.createCommandEncoder({ label: 'Bench.encoder' });
        const pass = encoder.beginComputePass({ label: 'Bench.pass', timestampWrites: timer.pass(variant) });
        encodeDispatch(pass, dispatch);
        pass.end();
        readback = timer.resolve(encoder);
        device.queue.submit([encoder.finish()]);
      });
      const gpu = await timer.read(readback);
      const c = process.cpuUsage(c0);
      if (r > 0) {
        times.push(gpu[0]?.ms ?? wall); // r = 0 warms up
        cpuTimes.push((c.user + c.system) / 1000);
      }
    }
    times.sort((a, b) => a - b);
    cpuTimes.sort((a, b) => a - b);
    const cpuMedian = cpuTimes[Math.floor(cpuTimes.length / 2)];
    const median = times[Math.floor(times.length / 2)];
    const gflops = (2 * batch * n * k) / (median * 1e6);
    console.log(
      `${batch}×${k}·${k}×${n}  ${variant.padEnd(12)} median ${median.toFixed(2).padStart(9)} ms ` +
        `(min ${times[0].toFixed(2)}, max ${times[times.length - 1].toFixed(2)})  ` +
        `${gflops.toFixed(3)} GFLOP/s  ` +
        `[${timer.source}]; process CPU ${cpuMedian.toFixed(1)} ms = ` +
        `${((2 * batch * n * k) / (cpuMedian * 1e6)).toFixed(3)} GFLOP per CPU-second`,
    );
  }
  for (const b of [x, w, bias, y]) b.destroy();
}
disposeDispatches(dispatches);
dense.dispose();
timer.dispose();
process.exit(0);
