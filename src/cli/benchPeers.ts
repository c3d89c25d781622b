// `sparsescope bench-peers`: our dense GEMM against @tensorflow/tfjs-backend-webgpu's matMul on the same
// Dawn adapter, in one process (src/bench/peerGemm.ts has the protocol). tfjs runs in Node with one shim:
// `navigator.gpu` set to our Dawn GPU object before the backend is imported.
import { writeFileSync } from 'node:fs';
import { type PeerGemmRow, type PeerMatmul, timePeerGemm } from '../bench/peerGemm';
import { formatTable } from '../bench/table';
import { withGpuErrors } from '../gpu/limits';
import { createNodeGpu } from '../node/dawn';
import { LIMITS } from '../params/limits';
import { numberFlag, type ParsedArgs, stringFlag, UsageError } from './args';
import { type FlagTable, flag, strictFlags } from './flags';
import { openBackend } from './gpu';
import { spreadCell } from './measureFlags';

export const PEER_SCHEMA = 'sparsescope-peers/1';

/** `1024` (square) or `64x768x3072` (B×K×N), comma-separated. */
export function parsePeerSizes(spec: string): [number, number, number][] {
  return spec.split(',').map((part) => {
    const dims = part.trim().split('x').map(Number);
    const shape = dims.length === 1 ? [dims[0], dims[0], dims[0]] : dims;
    if (shape.length !== 3 || !shape.every((d) => Number.isInteger(d) && d >= 1 && d <= LIMITS.side)) {
      throw new UsageError(
        `--sizes: "${part.slice(0, 100)}" is not N (square) or BxKxN, each from 1 to ${LIMITS.side}`,
      );
    }
    return shape as [number, number, number];
  });
}

/** tfjs-backend-webgpu on the process's Dawn GPU object. */
async function tfjsPeer(): Promise<PeerMatmul> {
  const gpu = await createNodeGpu();
  Object.defineProperty(globalThis, 'navigator', {
    value: { gpu, userAgent: 'node' },
    configurable: true,
    writable: true,
  });
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-webgpu');
  if (!(await tf.setBackend('webgpu'))) throw new Error('tfjs-backend-webgpu did not start on this adapter');
  await tf.ready();
  return {
    name: `tfjs-backend-webgpu ${tf.version_core}`,
    prepare(x, w, batch, k, n) {
      const tx = tf.tensor2d(x, [batch, k]);
      const tw = tf.tensor2d(w, [n, k]);
      return {
        async run(repeats) {
          for (let r = 0; r < repeats - 1; r++) tf.matMul(tx, tw, false, true).dispose();
          const y = tf.matMul(tx, tw, false, true);
          const data = (await y.data()) as Float32Array;
          y.dispose();
          return data;
        },
        dispose() {
          tx.dispose();
          tw.dispose();
        },
      };
    },
  };
}

const PEER_FLAGS = {
  sizes: flag.text('N (square) or BxKxN, comma-separated (default GPT-2 shapes and 256, 512)'),
  rounds: flag.int(1, LIMITS.samples, 'interleaved timed rounds (default 5)'),
  'target-ms': flag.number(0, 60_000, 'enqueue products until one sample lasts this long (default 0)'),
  seed: flag.seed(),
  json: flag.text('write the rows here'),
} satisfies FlagTable;

export async function benchPeersCommand(rawArgs: ParsedArgs): Promise<number> {
  const args = strictFlags(rawArgs, PEER_FLAGS);
  const shapes = parsePeerSizes(
    stringFlag(args, 'sizes', '1x768x3072,64x768x3072,512x768x3072,64x768x768,256,512')!,
  );
  const options = {
    rounds: numberFlag(args, 'rounds', 5),
    targetMs: numberFlag(args, 'target-ms', 0),
    seed: numberFlag(args, 'seed', 1),
  };
  const backend = await openBackend('webgpu');
  if (backend.kind !== 'webgpu') throw new Error(`bench-peers needs WebGPU (${backend.reason})`);
  const { ctx } = backend;
  const peer = await tfjsPeer();
  console.log(`adapter: ${ctx.adapterLabel}; peer ${peer.name}`);
  const rows: PeerGemmRow[] = [];
  for (const shape of shapes) {
    const row = await withGpuErrors(ctx.device, `GEMM ${shape.join('x')}`, () =>
      timePeerGemm(ctx, peer, shape, options),
    );
    if (!(row.maxRelDiff < 1e-3)) {
      throw new Error(`${row.shape}: our product and ${peer.name}'s differ (max relative ${row.maxRelDiff})`);
    }
    rows.push(row);
    process.stderr.write(
      `  ${row.shape}: ours ${row.ours.medianMs.toFixed(3)} ms, peer ${row.peerTime.medianMs.toFixed(3)} ms\n`,
    );
  }
  const spread = (s: PeerGemmRow['ours']) => spreadCell({ ms: s.medianMs, p10: s.p10Ms, p90: s.p90Ms });
  console.log(
    formatTable(
      [
        'shape',
        'our kernel',
        'ours ms (p10–p90)',
        'peer ms (p10–p90)',
        'ours GFLOP/s',
        'peer GFLOP/s',
        'ours ÷ peer time',
        'repeats',
      ],
      rows.map((r) => [
        r.shape,
        r.variant,
        spread(r.ours),
        spread(r.peerTime),
        r.oursGflops,
        r.peerGflops,
        r.ours.medianMs / r.peerTime.medianMs,
        r.repeats,
      ]),
    ),
  );
  const jsonPath = stringFlag(args, 'json');
  if (jsonPath) {
    const report = {
      schema: PEER_SCHEMA,
      adapter: ctx.adapterLabel,
      adapterInfo: ctx.info,
      date: new Date().toISOString(),
      command: `sparsescope bench-peers ${process.argv.slice(3).join(' ')}`.trim(),
      protocol: 'wall clock of `repeats` products enqueued back to back plus one readback, ÷ repeats',
      ...options,
      rows,
    };
    writeFileSync(jsonPath, `${JSON.stringify(report, null, 1)}\n`);
    console.log(`wrote ${rows.length} rows to ${jsonPath}`);
  }
  return 0;
}
