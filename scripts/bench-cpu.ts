// CPU dense matmul against the peers a user would pick, and CPU CSR SpMM against it, in one run.
//   npx tsx scripts/bench-cpu.ts [--rounds 5] [--batches 1,64,512] [--min-ms 200] [--slow-max-batch 64]
//                                [--json docs/bench/cpu.json] [--md docs/bench/cpu.md] [--quick]
// Shapes: GPT-2 small's linear layers, y (B×N) = x (B×K)·Wᵀ: qkv 2304×768, attn.proj 768×768,
// fc 3072×768, fc.proj 768×3072 (N×K). Peers, all single-threaded on the calling thread:
//   matmulFast (wasm SIMD) with W resident in wasm memory (keepResident) and with W copied per call;
//   the previous cache-blocked JS kernel (matmulJs); @tensorflow/tfjs-backend-cpu and -wasm (XNNPACK,
//   SIMD; Node gives it one thread) matMul(x, W, false, true), and tfjs-wasm with W stored K×N
//   (matMul(x, Wᵀ, false, false)), its XNNPACK fast path; W is a tensor made once, like a model weight.
// Every timed call includes moving the input in and the result out: ours copies x into wasm memory and
// y out into a Float32Array; tfjs makes a tensor from x, runs matMul and awaits data().
// Sparse, at densities 1/4…1/1024 (exact nnz, ≥ 1 per row), against the dense rows above: spmmFast (JS),
// spmmWasm (SIMD over the batch) with the CSR arrays copied per call and resident (keepCsrResident).
// Contention: the machine is shared, so peers run in alternating rounds (outer loop), in an order that
// rotates each round; each sample repeats a call for ≥ min-ms; the result is the median over rounds of
// wall time and of process CPU time per call. The load average is recorded each round.
// A benchmark, not a test: it prints tables and writes JSON/markdown, and asserts nothing.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { randomCsr } from '../src/bench/matrices';
import { median } from '../src/bench/stats';
import { matmulFast, matmulJs } from '../src/math/matmul';
import { Rng } from '../src/math/rng';
import { spmmFast } from '../src/math/spmm';
import { keepResident, releaseResident } from '../src/math/wasm/gemmWasm';
import { keepCsrResident, spmmWasm } from '../src/math/wasm/spmmWasm';
import { type BenchResult, type DenseRow, renderMarkdown, type SparseRow } from './bench-cpu-report';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const quick = process.argv.includes('--quick');
const rounds = Number(arg('rounds', quick ? '2' : '5'));
const batches = arg('batches', quick ? '1,64' : '1,64,512')
  .split(',')
  .map(Number);
const minMs = Number(arg('min-ms', quick ? '60' : '200'));
const slowMaxBatch = Number(arg('slow-max-batch', '64'));
const jsonPath = arg('json', 'docs/bench/cpu.json');
const mdPath = arg('md', 'docs/bench/cpu.md');
const DENSITIES = [1 / 4, 1 / 16, 1 / 64, 1 / 256, 1 / 1024];
const SPARSE_KERNELS = ['js', 'wasm-copied', 'wasm-resident'] as const;
const SHAPES = [
  { label: 'attn.proj', n: 768, k: 768 },
  { label: 'qkv', n: 2304, k: 768 },
  { label: 'fc', n: 3072, k: 768 },
  { label: 'fc.proj', n: 768, k: 3072 },
];

// tfjs-backend-wasm in Node: binaries from node_modules; Node has no wasm threads in tfjs, so one thread.
const wasmDist = new URL('../node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url).pathname;
setWasmPaths({
  'tfjs-backend-wasm.wasm': `${wasmDist}tfjs-backend-wasm.wasm`,
  'tfjs-backend-wasm-simd.wasm': `${wasmDist}tfjs-backend-wasm-simd.wasm`,
  'tfjs-backend-wasm-threaded-simd.wasm': `${wasmDist}tfjs-backend-wasm-threaded-simd.wasm`,
});
await tf.setBackend('wasm');
const tfWasmInfo = { simd: await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'), threads: getThreadsCount() };
if (tfWasmInfo.simd !== true || tfWasmInfo.threads !== 1) {
  throw new Error(`tfjs-backend-wasm is not SIMD single-thread here: ${JSON.stringify(tfWasmInfo)}`);
}
await tf.setBackend('cpu');

interface Sample {
  wallMs: number;
  cpuMs: number;
}

/** Run `fn` once to warm up, then repeatedly for ≥ minMs: wall and process CPU time per call. */
async function sample(fn: () => unknown): Promise<Sample> {
  await fn();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let calls = 0;
  do {
    await fn();
    calls++;
  } while (performance.now() - t0 < minMs);
  const cpu = process.cpuUsage(cpu0);
  return { wallMs: (performance.now() - t0) / calls, cpuMs: (cpu.user + cpu.system) / 1000 / calls };
}

interface Peer {
  id: string;
  slow?: boolean;
  /** Prepare state for one (shape, batch); returns the timed call and a cleanup. */
  setup(
    x: Float32Array,
    w: Float32Array,
    batch: number,
    n: number,
    k: number,
  ): Promise<[() => unknown, () => void]>;
}

function transpose(w: Float32Array, n: number, k: number): Float32Array {
  const t = new Float32Array(n * k);
  for (let j = 0; j < n; j++) for (let i = 0; i < k; i++) t[i * n + j] = w[j * k + i];
  return t;
}

async function tfPeer(backend: 'cpu' | 'wasm', storeTransposed: boolean) {
  return async (x: Float32Array, w: Float32Array, batch: number, n: number, k: number) => {
    await tf.setBackend(backend);
    // W (N×K) as tfjs matMul(x, W, false, true) wants it, or stored K×N for matMul(x, Wᵀ).
    const wt = storeTransposed ? tf.tensor2d(transpose(w, n, k), [k, n]) : tf.tensor2d(w, [n, k]);
    await wt.data(); // materialise on this backend before timing
    const run = async () => {
      const xt = tf.tensor2d(x, [batch, k]);
      const y = tf.matMul(xt, wt, false, !storeTransposed);
      await y.data();
      xt.dispose();
      y.dispose();
    };
    return [run, () => wt.dispose()] as [() => unknown, () => void];
  };
}

const PEERS: Peer[] = [
  {
    id: 'ours-resident',
    setup: async (x, w, batch, n, k) => {
      const y = new Float32Array(batch * n);
      if (!keepResident(w)) throw new Error('resident copy refused');
      return [() => matmulFast(x, w, null, batch, n, k, 'none', 32, y), () => releaseResident()];
    },
  },
  {
    id: 'ours-copied',
    setup: async (x, w, batch, n, k) => {
      const y = new Float32Array(batch * n);
      return [() => matmulFast(x, w, null, batch, n, k, 'none', 32, y), () => {}];
    },
  },
  {
    id: 'js-blocked',
    slow: true,
    setup: async (x, w, batch, n, k) => {
      const y = new Float32Array(batch * n);
      return [() => matmulJs(x, w, null, batch, n, k, 'none', 32, y), () => {}];
    },
  },
  { id: 'tfjs-cpu', slow: true, setup: await tfPeer('cpu', false) },
  { id: 'tfjs-wasm', setup: await tfPeer('wasm', false) },
  { id: 'tfjs-wasm-wt', setup: await tfPeer('wasm', true) },
];

const rng = new Rng(2025);
const data = SHAPES.map((s) => ({
  ...s,
  w: rng.uniformArray(s.n * s.k),
  xs: new Map(batches.map((b) => [b, rng.uniformArray(b * s.k)])),
  csrs: DENSITIES.map((d) => randomCsr(rng, s.n, s.k, d)),
}));

const loadBefore = os.loadavg();
const loadPerRound: number[] = [];
const denseSamples = new Map<string, Sample[]>();
const sparseSamples = new Map<string, Sample[]>();
const push = (m: Map<string, Sample[]>, key: string, s: Sample) => m.set(key, [...(m.get(key) ?? []), s]);
const started = Date.now();

for (let round = 0; round < rounds; round++) {
  loadPerRound.push(os.loadavg()[0]);
  for (const shape of data) {
    for (const batch of batches) {
      const x = shape.xs.get(batch) as Float32Array; // every batch has an x
      const peers = PEERS.filter((p) => !p.slow || batch <= slowMaxBatch);
      const order = peers.map((_, i) => peers[(i + round) % peers.length]);
      for (const peer of order) {
        const [run, cleanup] = await peer.setup(x, shape.w, batch, shape.n, shape.k);
        push(denseSamples, `${shape.label}|${batch}|${peer.id}`, await sample(run));
        cleanup();
      }
      const y = new Float32Array(batch * shape.n);
      for (const [i, csr] of shape.csrs.entries()) {
        const kernels = SPARSE_KERNELS.map((_, j) => SPARSE_KERNELS[(j + round) % SPARSE_KERNELS.length]);
        for (const kernel of kernels) {
          if (kernel === 'wasm-resident' && !keepCsrResident(csr)) throw new Error('resident CSR refused');
          const s =
            kernel === 'js'
              ? await sample(() => void spmmFast(x, csr, null, batch, 'none', 32, y))
              : await sample(() => void spmmWasm(x, csr, null, batch, 'none', 32, y));
          releaseResident();
          push(sparseSamples, `${shape.label}|${batch}|${DENSITIES[i]}|${kernel}`, s);
        }
      }
    }
  }
  console.error(`round ${round + 1}/${rounds} done, ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

const medianOf = (ss: Sample[]) => ({
  wallMs: median(ss.map((s) => s.wallMs)),
  cpuMs: median(ss.map((s) => s.cpuMs)),
  samples: ss.length,
});

const dense: DenseRow[] = [];
const sparse: SparseRow[] = [];
for (const shape of data) {
  for (const batch of batches) {
    const flops = 2 * batch * shape.n * shape.k;
    for (const peer of PEERS) {
      const ss = denseSamples.get(`${shape.label}|${batch}|${peer.id}`);
      if (!ss) continue;
      const m = medianOf(ss);
      dense.push({ shape: shape.label, n: shape.n, k: shape.k, batch, peer: peer.id, ...m, flops });
    }
    shape.csrs.forEach((csr, i) => {
      for (const kernel of SPARSE_KERNELS) {
        const ss = sparseSamples.get(`${shape.label}|${batch}|${DENSITIES[i]}|${kernel}`);
        if (!ss) continue;
        const nnz = csr.rowPtr[csr.rows];
        const { n, k, label } = shape;
        sparse.push({
          shape: label,
          n,
          k,
          batch,
          density: DENSITIES[i],
          kernel,
          nnz,
          ...medianOf(ss),
          flops: 2 * batch * nnz,
        });
      }
    });
  }
}

const cpus = os.cpus();
const result: BenchResult = {
  date: new Date().toISOString(),
  command: `npx tsx scripts/bench-cpu.ts ${process.argv.slice(2).join(' ')}`.trim(),
  machine: {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    v8: process.versions.v8,
    tfjs: tf.version_core,
    loadBefore,
    loadPerRound,
    loadAfter: os.loadavg(),
  },
  settings: { rounds, batches, minMs, slowMaxBatch, densities: DENSITIES },
  dense,
  sparse,
};
mkdirSync(dirname(jsonPath), { recursive: true });
writeFileSync(jsonPath, `${JSON.stringify(result, null, 2)}\n`);
const md = renderMarkdown(result);
writeFileSync(mdPath, md);
console.log(md);
