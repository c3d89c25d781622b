// Times the CPU model path: synthetic init, sparsify, and forwardCpu dense vs sparse.
// Usage: npx tsx scripts/bench-model-cpu.ts [preset=gpt2-small] [tokens=8] [density=0.015625] [reps=3] [embeddings=0|1]
import { forwardCpu } from '../src/math/transformer';
import { isPresetName, presetConfig } from '../src/model/config';
import { initGpt2 } from '../src/model/init';
import { sparsifyModel } from '../src/model/sparsify';

const [presetArg = 'gpt2-small', tokensArg = '8', densityArg = String(1 / 64), repsArg = '3', embArg = '0'] =
  process.argv.slice(2);
if (!isPresetName(presetArg)) throw new Error(`unknown preset ${presetArg}`);
const config = presetConfig(presetArg);
const T = Number(tokensArg);
const density = Number(densityArg);
const reps = Number(repsArg);

// CPU time next to wall time: on a shared machine wall time includes waiting for a core.
const cpuMs = (since: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
};
let t0 = performance.now();
let c0 = process.cpuUsage();
const dense = initGpt2(config, { seed: 1 });
const initMs = performance.now() - t0;
const initCpu = cpuMs(c0);
t0 = performance.now();
c0 = process.cpuUsage();
const sparse = sparsifyModel(dense, { density, minPerNeuron: 4, includeEmbeddings: embArg === '1' });
const sparsifyMs = performance.now() - t0;
const sparsifyCpu = cpuMs(c0);
const kept = sparse.sparsity?.matrices.reduce((s, m) => s + m.kept, 0) ?? 0;
const total = sparse.sparsity?.matrices.reduce((s, m) => s + m.total, 0) ?? 0;
console.log(
  `${presetArg}: init ${initMs.toFixed(0)} ms (cpu ${initCpu.toFixed(0)}), sparsify(density ${density}) ${sparsifyMs.toFixed(0)} ms (cpu ${sparsifyCpu.toFixed(0)}), kept ${kept}/${total} (${((100 * kept) / total).toFixed(3)} %)`,
);

const tokens = Array.from({ length: T }, (_, i) => (i * 7919) % config.vocabSize);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
for (const [path, weights] of [
  ['dense', dense],
  ['sparse', sparse],
] as const) {
  const total: number[] = [];
  const cpu: number[] = [];
  const byOp = new Map<string, number[]>();
  for (let r = 0; r < reps + 1; r++) {
    const s = performance.now();
    const c = process.cpuUsage();
    const res = forwardCpu(weights, tokens, { path, collectActivations: false });
    const ms = performance.now() - s;
    if (r === 0) continue; // warm-up
    total.push(ms);
    cpu.push(cpuMs(c));
    const sums = new Map<string, number>();
    for (const t of res.timings) sums.set(t.op, (sums.get(t.op) ?? 0) + t.ms);
    for (const [op, ms2] of sums) byOp.set(op, [...(byOp.get(op) ?? []), ms2]);
  }
  const ops = [...byOp].map(([op, v]) => `${op} ${median(v).toFixed(1)}`).join(', ');
  console.log(
    `forward ${path} T=${T}: median ${median(total).toFixed(1)} ms wall, ${median(cpu).toFixed(1)} ms cpu over ${reps} (summed over layers: ${ops})`,
  );
}
