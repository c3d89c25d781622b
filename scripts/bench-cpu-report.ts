// Types and the markdown report of scripts/bench-cpu.ts (kept apart so the runner stays readable).

export interface DenseRow {
  shape: string;
  n: number;
  k: number;
  batch: number;
  peer: string;
  /** Median over rounds, per call. */
  wallMs: number;
  cpuMs: number;
  samples: number;
  flops: number;
}

export interface SparseRow {
  shape: string;
  n: number;
  k: number;
  batch: number;
  density: number;
  /** spmmFast (JS), spmmWasm with the CSR arrays copied per call, or resident. */
  kernel: 'js' | 'wasm-copied' | 'wasm-resident';
  nnz: number;
  wallMs: number;
  cpuMs: number;
  samples: number;
  /** 2·nnz·batch */
  flops: number;
}

export interface BenchResult {
  date: string;
  command: string;
  machine: {
    cpu: string;
    cores: number;
    memoryGiB: number;
    node: string;
    v8: string;
    tfjs: string;
    loadBefore: number[];
    loadPerRound: number[];
    loadAfter: number[];
  };
  settings: { rounds: number; batches: number[]; minMs: number; slowMaxBatch: number; densities: number[] };
  dense: DenseRow[];
  sparse: SparseRow[];
}

const PEER_LABELS: Record<string, string> = {
  'ours-resident': 'matmulFast, W resident',
  'ours-copied': 'matmulFast, W copied per call',
  'js-blocked': 'JS blocked (previous matmulFast)',
  'tfjs-cpu': 'tfjs-backend-cpu',
  'tfjs-wasm': 'tfjs-backend-wasm, transposeB',
  'tfjs-wasm-wt': 'tfjs-backend-wasm, W stored K×N',
};

const gf = (flops: number, ms: number) => flops / (ms * 1e6);
const f1 = (v: number) => (Number.isFinite(v) ? (v >= 100 ? v.toFixed(0) : v.toFixed(1)) : '–');
const load = (xs: number[]) => xs.map((v) => v.toFixed(1)).join(' / ');

type Basis = 'cpuMs' | 'wallMs';

function find(r: BenchResult, shape: string, batch: number, peer: string): DenseRow | undefined {
  return r.dense.find((d) => d.shape === shape && d.batch === batch && d.peer === peer);
}

function rate(r: BenchResult, shape: string, batch: number, peer: string, basis: Basis): number {
  const d = find(r, shape, batch, peer);
  return d ? gf(d.flops, d[basis]) : Number.NaN;
}

function groups(r: BenchResult): { shape: string; n: number; k: number; batch: number }[] {
  const seen = new Map<string, { shape: string; n: number; k: number; batch: number }>();
  for (const d of r.dense)
    seen.set(`${d.shape}|${d.batch}`, { shape: d.shape, n: d.n, k: d.k, batch: d.batch });
  return [...seen.values()];
}

function denseTable(r: BenchResult): string[] {
  const peers = Object.keys(PEER_LABELS);
  const lines = [
    `| layer (N×K) | batch | ${peers.map((p) => PEER_LABELS[p]).join(' | ')} |`,
    `|---|---|${peers.map(() => '---|').join('')}`,
  ];
  for (const g of groups(r)) {
    const cells = peers.map((p) => {
      const c = rate(r, g.shape, g.batch, p, 'cpuMs');
      const w = rate(r, g.shape, g.batch, p, 'wallMs');
      return Number.isFinite(c) ? `${f1(c)} (${f1(w)})` : '–';
    });
    lines.push(`| ${g.shape} ${g.n}×${g.k} | ${g.batch} | ${cells.join(' | ')} |`);
  }
  return lines;
}

function targetTable(r: BenchResult): string[] {
  const lines = [
    '| layer | batch | ours ÷ tfjs-cpu (resident / copied) | best tfjs-wasm ÷ ours (resident / copied) |',
    '|---|---|---|---|',
  ];
  const tally = { cpu: [0, 0, 0], wasm: [0, 0, 0] }; // met (resident), met (copied), points
  for (const g of groups(r)) {
    const res = rate(r, g.shape, g.batch, 'ours-resident', 'cpuMs');
    const cop = rate(r, g.shape, g.batch, 'ours-copied', 'cpuMs');
    const tcpu = rate(r, g.shape, g.batch, 'tfjs-cpu', 'cpuMs');
    const twasm = Math.max(
      rate(r, g.shape, g.batch, 'tfjs-wasm', 'cpuMs'),
      rate(r, g.shape, g.batch, 'tfjs-wasm-wt', 'cpuMs'),
    );
    const vsCpu = Number.isFinite(tcpu) ? `${f1(res / tcpu)}× / ${f1(cop / tcpu)}×` : 'not run';
    if (Number.isFinite(tcpu)) {
      tally.cpu[0] += res >= tcpu ? 1 : 0;
      tally.cpu[1] += cop >= tcpu ? 1 : 0;
      tally.cpu[2]++;
    }
    tally.wasm[0] += twasm / res <= 2 ? 1 : 0;
    tally.wasm[1] += twasm / cop <= 2 ? 1 : 0;
    tally.wasm[2]++;
    lines.push(
      `| ${g.shape} | ${g.batch} | ${vsCpu} | ${(twasm / res).toFixed(2)} / ${(twasm / cop).toFixed(2)} |`,
    );
  }
  lines.push(
    '',
    `At least as fast as tfjs-backend-cpu: ${tally.cpu[0]}/${tally.cpu[2]} points with W resident, ` +
      `${tally.cpu[1]}/${tally.cpu[2]} with W copied per call.`,
    `Within 2× of the faster tfjs-backend-wasm variant: ${tally.wasm[0]}/${tally.wasm[2]} points with W resident, ` +
      `${tally.wasm[1]}/${tally.wasm[2]} with W copied per call.`,
  );
  return lines;
}

const fraction = (d: number) => `1/${Math.round(1 / d)}`;

function sparseTable(r: BenchResult): string[] {
  const densities = r.settings.densities;
  const lines = [
    `| layer | batch | dense ms | ${densities.map((d) => `${fraction(d)}`).join(' | ')} |`,
    `|---|---|---|${densities.map(() => '---|').join('')}`,
  ];
  const checks: string[] = [];
  for (const g of groups(r)) {
    const dense = find(r, g.shape, g.batch, 'ours-resident');
    if (!dense) continue;
    const cells = densities.map((d) => {
      const speedups = (['js', 'wasm-copied', 'wasm-resident'] as const).map((kernel) => {
        const s = r.sparse.find(
          (x) => x.shape === g.shape && x.batch === g.batch && x.density === d && x.kernel === kernel,
        );
        return s ? dense.cpuMs / s.cpuMs : Number.NaN;
      });
      if (d === 1 / 64 && g.batch >= 64) {
        checks.push(
          `${g.shape} B=${g.batch}: ${f1(Math.max(speedups[1], speedups[2]))}× (JS ${f1(speedups[0])}×)`,
        );
      }
      return speedups.map(f1).join(' / ');
    });
    lines.push(
      `| ${g.shape} ${g.n}×${g.k} | ${g.batch} | ${dense.cpuMs.toPrecision(3)} | ${cells.join(' | ')} |`,
    );
  }
  lines.push(
    '',
    `CSR at density 1/64, batch ≥ 64, speedup of spmmWasm over dense (target ≥ 20×): ${checks.join(', ') || 'not run'}.`,
  );
  return lines;
}

/** Observations computed from the run (not claims carried over from elsewhere). */
function notes(r: BenchResult): string[] {
  const ratios = groups(r)
    .filter((g) => g.batch >= 64)
    .map(
      (g) =>
        rate(r, g.shape, g.batch, 'tfjs-wasm-wt', 'cpuMs') / rate(r, g.shape, g.batch, 'tfjs-wasm', 'cpuMs'),
    )
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  const mid = ratios.length ? ratios[Math.floor(ratios.length / 2)] : Number.NaN;
  return [
    `- tfjs-backend-wasm's matMul(x, W, false, true) (W stored N×K, as this project stores it) was ${f1(mid)}× ` +
      'slower (median at batch ≥ 64) than matMul(x, Wᵀ) with W stored K×N: its BatchMatMul sends only ' +
      '!transposeA && !transposeB to XNNPACK and everything else to a scalar loop (slow_batch_matmul). ' +
      'The targets compare against the faster of the two.',
    '- "W resident": the weight was copied into wasm memory once (keepResident), as a model\'s weights should be;',
    '  "copied per call" pays that copy every call, which dominates at batch 1 (memory-bound GEMV).',
    '- CPU-time GFLOP/s can exceed wall-time GFLOP/s many times over here: the process waited for a core.',
  ];
}

export function renderMarkdown(r: BenchResult): string {
  const m = r.machine;
  return [
    '# CPU kernels: dense matmul against its peers, CSR SpMM against dense',
    '',
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB; Node ${m.node} (V8 ${m.v8}); tfjs ${m.tfjs}. ${r.date}.`,
    `Command: \`${r.command}\` (${r.settings.rounds} rounds, ≥ ${r.settings.minMs} ms per sample).`,
    `Load average (1 min, ${m.cores} cores shared with other jobs): before ${load(m.loadBefore)}, ` +
      `at each round ${load(m.loadPerRound)}, after ${load(m.loadAfter)}.`,
    '',
    'Every kernel runs single-threaded on the calling thread; y (B×N) = x (B×K)·Wᵀ, f32. Each timed call',
    'includes moving data in and out: ours copies x into wasm memory (and W too, when not resident) and y',
    'back into a Float32Array; tfjs makes a tensor from x, runs matMul and awaits data(). W is a tensor made',
    'once per backend. Peers run interleaved in rounds whose order rotates; numbers are medians over rounds.',
    'GFLOP/s = 2·B·N·K / time, from process CPU time per call (what the kernel gets from a core it is',
    'given), wall time in parentheses (lower when other jobs take the cores).',
    `JS blocked and tfjs-cpu run only up to batch ${r.settings.slowMaxBatch} (seconds per call beyond).`,
    '',
    '## Dense: GFLOP/s, CPU time (wall)',
    '',
    ...denseTable(r),
    '',
    '## Dense targets (CPU time)',
    '',
    ...targetTable(r),
    '',
    '## CSR SpMM against dense matmulFast (W resident): speedup, CPU time',
    '',
    'Each cell: dense time ÷ CSR time for spmmFast (JS) / spmmWasm, CSR copied per call / spmmWasm, CSR',
    'resident. Milliseconds per call are in the JSON.',
    '',
    ...sparseTable(r),
    '',
    '## Notes',
    '',
    ...notes(r),
    '',
  ].join('\n');
}
