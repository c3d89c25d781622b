// What a forward plan is (its steps, staging layout and buffers), and the parts every plan builder shares
// (GPT-2's buildForwardPlan in forwardPlan.ts, circuit_sparsity's buildCspForwardPlan in cspPlan.ts): the
// work buffers allocated once per plan, the staging buffer and its layout, and the finished plan's dispose.
import type { KernelRun } from '../../gpu/autotune/linearKernels';
import { storageBuffer, uniformU32 } from '../../gpu/buffers';
import { type Dispatch, disposeDispatches } from '../../gpu/kernels/dispatch';
import { checkBufferSize } from '../../gpu/limits';

/** One compute pass: what it computes (layer, op) and whether repeating it is harmless (same output). */
interface PlanPass {
  layer: number;
  op: string;
  dispatches: Dispatch[];
  idempotent: boolean;
  /** A linear layer's kernel and how it was chosen (LinearKernels). */
  kernel?: KernelRun;
}

interface PlanCopy {
  src: GPUBuffer;
  srcOffset: number;
  dst: GPUBuffer;
  dstOffset: number;
  size: number;
}

export type PlanStep = { kind: 'pass'; pass: PlanPass } | { kind: 'copy'; copy: PlanCopy };

export interface ForwardPlan {
  t: number;
  logitRows: number;
  steps: PlanStep[];
  tokens: GPUBuffer;
  step: GPUBuffer; // uniform: pos0
  staging: GPUBuffer; // MAP_READ: residual snapshots, MLP activations, logits
  layout: { residual: number[]; mlp: number[]; logits: number }; // byte offsets into staging
  activations: boolean;
  /** Frees the plan's buffers and its dispatches' uniforms. */
  dispose(): void;
}

export interface PlanOptions {
  logits: 'all' | 'last';
  activations: boolean;
}

/** A plan's buffers: freed by the plan's dispose (`owned`). */
export interface PlanBuffers {
  x: GPUBuffer; // residual stream (t, d)
  h: GPUBuffer; // normed input of a sublayer (t, d)
  qkv: GPUBuffer; // (t, 3 × attention width)
  att: GPUBuffer; // attention output (t, attention width)
  proj: GPUBuffer; // a sublayer's output (t, d)
  fc: GPUBuffer; // MLP activations (t, m)
  logits: GPUBuffer; // (logitRows, vocab)
  last: GPUBuffer; // the last position's normed row (logits 'last'), else h
  tokens: GPUBuffer;
  step: GPUBuffer;
  staging: GPUBuffer;
  logitRows: number;
  layout: ForwardPlan['layout'];
  owned: GPUBuffer[];
}

/**
 * The buffers of a plan for `t` tokens, labelled `${label}.${name}`. Staging layout: nLayer + 1 residual
 * snapshots (t, d) and nLayer MLP activations (t, m) when `activations`, then the logits.
 */
export function allocatePlanBuffers(
  device: GPUDevice,
  label: string,
  shape: { t: number; d: number; m: number; attention: number; nLayer: number; vocab: number },
  options: PlanOptions,
): PlanBuffers {
  const { t, d, m, attention, nLayer, vocab } = shape;
  const owned: GPUBuffer[] = [];
  const buf = (name: string, bytes: number) => {
    const b = storageBuffer(device, `${label}.${name}`, bytes);
    owned.push(b);
    return b;
  };
  const x = buf('x', 4 * t * d);
  const h = buf('h', 4 * t * d);
  const qkv = buf('qkv', 4 * t * 3 * attention);
  const att = buf('att', 4 * t * attention);
  const proj = buf('proj', 4 * t * d);
  const fc = buf('fc', 4 * t * m);
  const logitRows = options.logits === 'last' ? 1 : t;
  const logits = buf('logits', 4 * logitRows * vocab);
  const last = options.logits === 'last' ? buf('lastRow', 4 * d) : h;
  const tokens = buf('tokens', 4 * t);
  const step = uniformU32(device, `${label}.step`, [0]);
  owned.push(step);

  const residual: number[] = [];
  const mlp: number[] = [];
  let cursor = 0;
  if (options.activations) {
    for (let l = 0; l <= nLayer; l++, cursor += 4 * t * d) residual.push(cursor);
    for (let l = 0; l < nLayer; l++, cursor += 4 * t * m) mlp.push(cursor);
  }
  const stagingBytes = cursor + 4 * logitRows * vocab;
  checkBufferSize(device, `${label}.staging`, stagingBytes, false);
  const staging = device.createBuffer({
    label: `${label}.staging`,
    size: Math.max(4, stagingBytes),
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  owned.push(staging);
  const layout = { residual, mlp, logits: cursor };
  return { x, h, qkv, att, proj, fc, logits, last, tokens, step, staging, logitRows, layout, owned };
}

/** The finished plan over `buffers` and `steps`; its dispose frees both. */
export function finishPlan(
  t: number,
  buffers: PlanBuffers,
  steps: PlanStep[],
  options: PlanOptions,
): ForwardPlan {
  const { logitRows, tokens, step, staging, layout, owned } = buffers;
  return {
    t,
    logitRows,
    steps,
    tokens,
    step,
    staging,
    layout,
    activations: options.activations,
    dispose() {
      for (const b of owned) b.destroy();
      for (const s of steps) if (s.kind === 'pass') disposeDispatches(s.pass.dispatches);
    },
  };
}
