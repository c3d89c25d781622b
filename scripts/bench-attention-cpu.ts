// The CPU attention core, WebAssembly SIMD (src/math/wasm/attention.wat) against today's JavaScript
// (causalAttention, f64 scratch), one GPT-2-small layer (12 heads × 64, d 768), in one run.
//   npx tsx scripts/bench-attention-cpu.ts [--prefill 1,64,256] [--decode-at 64,255] [--rounds 7]
// Prefill T at start 0 (T queries, causal); decode one token at position p (p + 1 keys). Protocol: one
// warm-up call of each (never reported), then the two kernels interleaved for `rounds` rounds (order
// alternating), each sample one call on fresh copies of the cache; medians with p10–p90 (src/bench/stats).
// A benchmark, not a test: it prints a table and asserts nothing.
import os from 'node:os';
import { compareSummaries, summarize } from '../src/bench/stats';
import { causalAttention } from '../src/math/attention';
import { Rng } from '../src/math/rng';
import { causalAttentionWasm } from '../src/math/wasm/attentionWasm';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const list = (s: string) => (s ? s.split(',').map(Number) : []);
const rounds = Number(arg('rounds', '7'));
const nHead = 12;
const d = 768;
const kernels = { js: causalAttention, 'wasm-simd': causalAttentionWasm } as const;
type Name = keyof typeof kernels;

function point(label: string, T: number, start: number): void {
  const rng = new Rng(T * 1000 + start);
  const capacity = start + T;
  const cacheK = rng.uniformArray(capacity * d, -1, 1);
  const cacheV = rng.uniformArray(capacity * d, -1, 1);
  const qkv = rng.uniformArray(T * 3 * d, -1, 1);
  const out = new Float32Array(T * d);
  const run = (name: Name) => {
    const k = cacheK.slice();
    const v = cacheV.slice();
    const t0 = performance.now();
    kernels[name](qkv, T, start, nHead, d, k, v, out);
    return performance.now() - t0;
  };
  const samples: Record<Name, number[]> = { js: [], 'wasm-simd': [] };
  run('js');
  run('wasm-simd');
  for (let r = 0; r < rounds; r++) {
    const order: Name[] = r % 2 ? ['wasm-simd', 'js'] : ['js', 'wasm-simd'];
    for (const name of order) samples[name].push(run(name));
  }
  const js = summarize(samples.js);
  const simd = summarize(samples['wasm-simd']);
  const fmt = (s: typeof js) => `${s.medianMs.toFixed(2)} (${s.p10Ms.toFixed(2)}–${s.p90Ms.toFixed(2)})`;
  const { ratio, clear } = compareSummaries(js, simd);
  console.log(
    `| ${label} | ${fmt(js)} | ${fmt(simd)} | ${clear ? `${ratio.toFixed(1)}×` : 'no clear difference'} |`,
  );
}

console.log(`attention core, 12 heads × 64, one layer; ${rounds} rounds; load ${os.loadavg()[0].toFixed(1)}`);
console.log('| point | JavaScript ms (p10–p90) | WASM SIMD ms (p10–p90) | speedup |');
console.log('|---|---|---|---|');
for (const T of list(arg('prefill', '1,64,256'))) point(`prefill T = ${T}`, T, 0);
for (const p of list(arg('decode-at', '64,255'))) point(`decode at position ${p}`, 1, p);
console.log(`load after: ${os.loadavg()[0].toFixed(1)}`);
