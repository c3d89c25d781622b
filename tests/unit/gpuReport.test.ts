// The real-GPU report (`sparsescope bench-gpu`): the adapter's file name, the plan's budgets, the Markdown
// written from a report, and bench-peers' helpers. The steps' runner is in gpuReportSteps.test.ts; the
// whole command runs on SwiftShader in tests/gpu/benchGpu.test.ts.
import { describe, expect, it } from 'vitest';
import { adapterSlug, type GpuReport } from '../../src/bench/gpuReport';
import { densityLabel, gpuReportMarkdown, markdownTable } from '../../src/bench/gpuReportMarkdown';
import { gpuBenchPlan, RETUNE_FLAG, TOTAL_BUDGET_S } from '../../src/bench/gpuReportPlan';
import type { BenchRecord } from '../../src/bench/kernelSweep';
import { maxRelativeDifference } from '../../src/bench/peerGemm';
import { parsePeerSizes } from '../../src/cli/benchPeers';

describe('adapterSlug', () => {
  it('joins vendor, architecture and device, each word once', () => {
    expect(
      adapterSlug({ vendor: 'nvidia', architecture: 'hopper', device: 'nvidia-h200', description: '' }),
    ).toBe('gpu-nvidia-hopper-h200');
    expect(
      adapterSlug({
        vendor: 'google',
        architecture: 'swiftshader',
        device: 'swiftshader-device-subzero-',
        description: 'SwiftShader driver 5.0.0',
      }),
    ).toBe('gpu-google-swiftshader-device-subzero');
  });
  it('is a safe file name whatever the adapter says', () => {
    const slug = adapterSlug({
      vendor: '../../etc',
      architecture: 'A B/C',
      device: 'x'.repeat(200),
      description: '',
    });
    expect(slug).toMatch(/^gpu-[a-z0-9-]+$/);
    expect(slug.length).toBeLessThanOrEqual(64);
    expect(slug.endsWith('-')).toBe(false);
  });
  it('falls back to the description, then to "unknown"', () => {
    expect(adapterSlug({ vendor: '', architecture: '', device: '', description: 'Apple M3 Max' })).toBe(
      'gpu-apple-m3-max',
    );
    expect(adapterSlug({ vendor: '', architecture: '', device: '', description: '' })).toBe('gpu-unknown');
    expect(adapterSlug(null)).toBe('gpu-unknown');
  });
});

describe('gpuBenchPlan', () => {
  for (const quick of [false, true]) {
    it(`keeps the ${quick ? 'quick' : 'full'} parts inside the total budget`, () => {
      const plan = gpuBenchPlan({ quick, dnnDir: '/data', retune: false });
      expect(plan.map((p) => p.name)).toEqual(['info', 'gemm', 'sweep', 'model', 'dnn']);
      const sum = plan.reduce((s, p) => s + p.budgetS, 0);
      expect(sum).toBeLessThanOrEqual(quick ? TOTAL_BUDGET_S.quick : TOTAL_BUDGET_S.full);
      expect(TOTAL_BUDGET_S.full).toBeLessThanOrEqual(9 * 60);
    });
  }
  it("runs the issue's sizes in full mode", () => {
    const plan = gpuBenchPlan({ quick: false, dnnDir: '/data', retune: false });
    const args = (part: string) => plan.find((p) => p.name === part)!.steps.map((s) => s.args.join(' '));
    expect(args('gemm').join(' ')).toMatch(/--sizes 1024 .*--sizes 4096/);
    expect(args('sweep').map((a) => /--batches (\S+)/.exec(a)?.[1])).toEqual(['1', '64', '512']);
    expect(args('sweep')[0]).toContain('--densities 1,1/4,1/16,1/64,1/256,1/1024');
    expect(args('model')[0]).toContain('--model gpt2-small --prefill 1,64,256 --densities 1/64');
    expect(args('dnn')[0]).toContain('--truth /data/neuron1024-l120-categories_subset.mtx');
  });
  it('passes --retune to the sweep and bench-model steps, and only when asked', () => {
    const retuned = (retune: boolean) =>
      gpuBenchPlan({ quick: false, dnnDir: '/d', retune })
        .flatMap((p) => p.steps)
        .filter((s) => s.args.includes(RETUNE_FLAG))
        .map((s) => s.command);
    expect(retuned(false)).toEqual([]);
    expect(retuned(true)).toEqual(['bench', 'bench', 'bench', 'bench-model']);
  });
});

const record = (
  path: 'dense' | 'sparse',
  variant: string,
  density: number,
  medianMs: number,
): BenchRecord => ({
  path,
  variant,
  shape: 'fc 3072×768',
  n: 3072,
  k: 768,
  batch: 64,
  density,
  nnz: Math.round(3072 * 768 * density),
  medianMs,
  p10Ms: medianMs * 0.9,
  p90Ms: medianMs * 1.2,
  gflops: 100,
  gbps: 10,
  repeats: 10,
  samples: 9,
  backend: 'webgpu',
  adapter: 'nvidia hopper',
  timer: 'gpu-timestamp',
});

function fixture(): GpuReport {
  return {
    schema: 'sparsescope-gpu-report/1',
    date: '2026-12-06T12:00:00.000Z',
    command: 'sparsescope bench-gpu',
    runtime: 'node v20.20.2 + Dawn',
    quick: false,
    slug: 'gpu-nvidia-hopper-h100',
    file: 'gpu-nvidia-hopper-h100',
    load: [0.5, 1.25],
    dnnDir: '/data/graph-challenge-dnn',
    adapter: {
      vendor: 'nvidia',
      architecture: 'hopper',
      device: 'h100',
      description: 'NVIDIA | H100',
      isFallbackAdapter: false,
    },
    features: ['subgroups', 'timestamp-query'],
    limits: { maxStorageBufferBindingSize: 1 << 30, maxComputeInvocationsPerWorkgroup: 1024 },
    budgetS: 540,
    elapsedS: 512,
    steps: [
      {
        part: 'info',
        name: 'info',
        command: 'sparsescope info',
        budgetS: 30,
        seconds: 1,
        status: 'ok',
        exitCode: 0,
      },
      {
        part: 'sweep',
        name: 'sweep batch 512',
        command: 'sparsescope bench --batches 512',
        budgetS: 150,
        seconds: 99.6,
        status: 'cut',
        exitCode: null,
        reason: 'stopped at its budget',
      },
      {
        part: 'dnn',
        name: 'DNN, every image',
        command: 'sparsescope dnn',
        budgetS: 70,
        seconds: 0,
        status: 'not run',
        exitCode: null,
        reason: 'the 540 s total was spent',
      },
    ],
    cut: [
      'sweep batch 512: stopped at its budget after 100 s; its results are missing',
      'DNN, every image: not run (the 540 s total was spent)',
    ],
    gemm: [
      {
        shape: '4096×4096·4096×4096',
        batch: 4096,
        k: 4096,
        n: 4096,
        variant: 'tiled-vec4',
        peer: 'tfjs-backend-webgpu 4.22.0',
        repeats: 17,
        ours: { medianMs: 6, p10Ms: 5.9, p90Ms: 6.2, samples: 9 },
        peerTime: { medianMs: 8, p10Ms: 7.5, p90Ms: 8.8, samples: 9 },
        oursGflops: 22906,
        peerGflops: 17180,
        maxRelDiff: 1e-7,
      },
    ],
    sweep: {
      environments: [
        {
          runtime: 'node',
          backend: 'webgpu',
          adapter: 'nvidia hopper',
          timer: 'gpu-timestamp',
          copyGbps: 2900,
          date: '',
          command: '',
        },
      ],
      records: [
        record('dense', 'tiled-vec4', 1, 0.02),
        record('dense', 'naive', 1, 0.08),
        record('sparse', 'batched', 1 / 64, 0.005),
      ],
    },
    model: {
      model: 'gpt2-small (synthetic, seed 0)',
      records: [
        {
          path: 'dense',
          density: 1,
          mode: 'prefill',
          tokens: 64,
          medianMs: 4,
          p10Ms: 3.9,
          p90Ms: 4.4,
          samples: 5,
          warmupMs: 900,
          timer: 'gpu-timestamp',
        },
        {
          path: 'sparse',
          density: 1 / 64,
          mode: 'prefill',
          tokens: 64,
          medianMs: 2,
          p10Ms: 1.9,
          p90Ms: 2.1,
          samples: 5,
          warmupMs: 300,
          denseMs: 4,
          clear: true,
          timer: 'gpu-timestamp',
        },
      ],
    },
    dnn: [
      {
        step: 'DNN, live rows',
        kernel: 'webgpu live rows',
        nImages: 1200,
        nLayers: 30,
        categories: 19,
        edges: 1.18e9,
        edgesPerSecond: 5.9e10,
        total: { ms: 20, p10: 19, p90: 22, samples: 5 },
        truth: 'match',
      },
    ],
  };
}

describe('gpuReportMarkdown', () => {
  const md = gpuReportMarkdown(fixture());
  it('says what was cut, first', () => {
    expect(md).toMatch(/^# Real-GPU report: nvidia hopper h100\n/);
    expect(md).toContain(
      'load average 0.50 → 1.25. 512 s of a 540 s budget; <dnn-dir> is /data/graph-challenge-dnn.',
    );
    expect(md).toContain('Raw results: gpu-nvidia-hopper-h100.json');
    expect(md).not.toContain('fallback (software) adapter');
    expect(md.indexOf('**Cut or failed:**')).toBeLessThan(md.indexOf('## Adapter'));
    expect(md).toContain('- sweep batch 512: stopped at its budget after 100 s; its results are missing');
    expect(md).toContain(
      '| sweep | sweep batch 512 | `sparsescope bench --batches 512` | 150 | 99.6 | stopped at its budget after 100 s; its results are missing |',
    );
    expect(md).toContain(
      '| dnn | DNN, every image | `sparsescope dnn` | 70 | — | not run (the 540 s total was spent) |',
    );
  });
  it('has one table per part, medians with p10–p90 and ratios of the same run', () => {
    expect(md).toContain('| NVIDIA \\| H100 |'); // a | in a name cannot break the row
    expect(md).toContain(
      '| 4096×4096·4096×4096 | tiled-vec4 | 6.00 (5.90–6.20) | 22906 | 8.00 (7.50–8.80) | 17180 | 0.750 | 17 |',
    );
    expect(md).toContain('| layer | batch | dense ms | dense GFLOP/s | naive ÷ dense | 1/64 |');
    expect(md).toContain(
      '| fc 3072×768 | 64 | tiled-vec4 0.0200 (0.0180–0.0240) | 100 | 4.00× | 0.00500 (4.00×) |',
    );
    expect(md).toContain('| prefill | 64 | 4.00 (3.90–4.40) | 1/64 | 2.00 (1.90–2.10) | 2.00× | 5 |');
    expect(md).toContain(
      '| DNN, live rows | webgpu live rows | 1200 | 30 | 20.0 (19.0–22.0) | 5.90e+10 | 19 | match |',
    );
    expect(md).toContain("Copy bandwidth (read + write, the sweep's roofline): 2900 GB/s");
  });
  it('says "Nothing was cut." and "Not measured" where that is so', () => {
    const r = { ...fixture(), cut: [], gemm: [], model: null, dnn: [] };
    const text = gpuReportMarkdown(r);
    expect(text).toContain('Nothing was cut.');
    expect(text.match(/Not measured/g)).toHaveLength(3);
  });
  it('writes tables and densities plainly', () => {
    expect(markdownTable(['a', 'b'], [[1, 0.5]])).toBe('| a | b |\n|---|---|\n| 1 | 0.500 |');
    expect([1, 1 / 64, 1 / 1024, 0.3].map(densityLabel)).toEqual(['1', '1/64', '1/1024', '0.300']);
  });
});

describe('bench-peers helpers', () => {
  it('reads square and B×K×N sizes, and names a bad one', () => {
    expect(parsePeerSizes('1024,64x768x3072')).toEqual([
      [1024, 1024, 1024],
      [64, 768, 3072],
    ]);
    expect(() => parsePeerSizes('64x768')).toThrow(/"64x768" is not N \(square\) or BxKxN/);
    expect(() => parsePeerSizes('0')).toThrow(/each from 1 to/);
  });
  it('measures the difference of two products relative to the peer', () => {
    expect(maxRelativeDifference(new Float32Array([1, 2]), new Float32Array([1, 4]))).toBeCloseTo(0.5);
    expect(maxRelativeDifference(new Float32Array([Number.NaN]), new Float32Array([1]))).toBe(Infinity);
    expect(maxRelativeDifference(new Float32Array(1), new Float32Array(2))).toBe(Infinity);
  });
});
