// A forward plan: every dispatch of one GPT-2 forward pass for T new tokens on one path, bound once to
// buffers allocated once. Plans are cached per (path, T, logits mode, activations); a call only writes the tokens and
// the start position, encodes, and reads back one staging buffer.
import { storageBuffer, uniformU32 } from '../../gpu/buffers';
import type { FlashAttentionKernel } from '../../gpu/kernels/attentionFused';
import { type Dispatch, disposeDispatches } from '../../gpu/kernels/dispatch';
import type { ElementwiseKernels } from '../../gpu/kernels/elementwise';
import type { LayerNormKernel } from '../../gpu/kernels/layerNorm';
import type { DenseMatmul } from '../../gpu/kernels/matmul';
import type { CsrSpmm } from '../../gpu/kernels/spmmCsr';
import { checkBufferSize } from '../../gpu/limits';
import type { Gpt2Config } from '../../model/config';
import type { GpuLinear, GpuModel } from './modelBuffers';

export interface Kernels {
  layerNorm: LayerNormKernel;
  elementwise: ElementwiseKernels;
  attention: FlashAttentionKernel;
  dense: DenseMatmul;
  denseGelu: DenseMatmul;
  sparse: CsrSpmm;
  sparseGelu: CsrSpmm;
}

/** One compute pass: what it computes (layer, op) and whether repeating it is harmless (same output). */
interface PlanPass {
  layer: number;
  op: string;
  dispatches: Dispatch[];
  idempotent: boolean;
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

export function buildForwardPlan(
  device: GPUDevice,
  kernels: Kernels,
  model: GpuModel,
  config: Gpt2Config,
  t: number,
  options: { logits: 'all' | 'last'; activations: boolean },
): ForwardPlan {
  const { dModel: d, dMlp: m, nHead, nLayer, vocabSize, layerNormEps: eps } = config;
  const owned: GPUBuffer[] = [];
  const buf = (name: string, bytes: number) => {
    const b = storageBuffer(device, `Plan.${model.path}.t${t}.${name}`, bytes);
    owned.push(b);
    return b;
  };
  const x = buf('x', 4 * t * d);
  const h = buf('h', 4 * t * d);
  const qkv = buf('qkv', 4 * t * 3 * d);
  const att = buf('att', 4 * t * d);
  const proj = buf('proj', 4 * t * d);
  const fc = buf('fc', 4 * t * m);
  const logitRows = options.logits === 'last' ? 1 : t;
  const logits = buf('logits', 4 * logitRows * vocabSize);
  const last = options.logits === 'last' ? buf('lastRow', 4 * d) : h;
  const tokens = buf('tokens', 4 * t);
  const step = uniformU32(device, `Plan.${model.path}.t${t}.step`, [0]);
  owned.push(step);

  // Staging layout: nLayer + 1 residual snapshots (t, d), nLayer MLP activations (t, m), then logits.
  const residualOffsets: number[] = [];
  const mlpOffsets: number[] = [];
  let cursor = 0;
  if (options.activations) {
    for (let l = 0; l <= nLayer; l++, cursor += 4 * t * d) residualOffsets.push(cursor);
    for (let l = 0; l < nLayer; l++, cursor += 4 * t * m) mlpOffsets.push(cursor);
  }
  const logitsOffset = cursor;
  checkBufferSize(
    device,
    `Plan.${model.path}.t${t}.staging`,
    logitsOffset + 4 * logitRows * vocabSize,
    false,
  );
  const staging = device.createBuffer({
    label: `Plan.${model.path}.t${t}.staging`,
    size: Math.max(4, logitsOffset + 4 * logitRows * vocabSize),
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  owned.push(staging);

  const steps: PlanStep[] = [];
  // Every pass but the residual adds (x += y) writes the same output when run again: the measurement
  // protocol may repeat it inside one sample (the KV write stores the same rows again).
  const pass = (layer: number, op: string, dispatches: Dispatch[], idempotent = !op.endsWith('.add')) =>
    steps.push({ kind: 'pass', pass: { layer, op, dispatches, idempotent } });
  const copy = (src: GPUBuffer, dstOffset: number, size: number) =>
    steps.push({ kind: 'copy', copy: { src, srcOffset: 0, dst: staging, dstOffset, size } });
  const linear = (lin: GpuLinear, input: GPUBuffer, output: GPUBuffer, gelu: boolean, label: string) => {
    if (lin.dense) {
      const k = gelu ? kernels.denseGelu : kernels.dense;
      return k.bind({ x: input, w: lin.dense, bias: lin.bias, y: output }, { batch: t, n: lin.n, k: lin.k });
    }
    if (!lin.csr) throw new Error(`${label}: no weights uploaded`);
    const k = gelu ? kernels.sparseGelu : kernels.sparse;
    return k.bind({ x: input, csr: lin.csr, bias: lin.bias, y: output }, { batch: t });
  };
  const { layerNorm, elementwise, attention } = kernels;

  pass(0, 'embed', [elementwise.embed({ tokens, wte: model.wte, wpe: model.wpe, out: x, step }, { t, d })]);
  model.blocks.forEach((blk, l) => {
    const L = `L${l}`;
    if (options.activations) copy(x, residualOffsets[l], 4 * t * d);
    pass(l, 'ln1', [layerNorm.bind({ x, g: blk.ln1g, b: blk.ln1b, y: h }, { rows: t, d, eps }, `${L}.ln1`)]);
    pass(l, 'qkv', [linear(blk.qkv, h, qkv, false, `${L}.qkv`)], true);
    pass(l, 'attn.core', [
      elementwise.kvWrite({ qkv, kcache: blk.kcache, vcache: blk.vcache, step }, { t, d }, `${L}.kvWrite`),
      ...attention.bind(
        { qkv, kcache: blk.kcache, vcache: blk.vcache, out: att, step },
        { t, d, nHead },
        `${L}.attn`,
      ).dispatches,
    ]);
    pass(l, 'attn.proj', [linear(blk.attnProj, att, proj, false, `${L}.attnProj`)], true);
    pass(l, 'attn.add', [elementwise.residualAdd({ x, y: proj }, t * d, `${L}.attnAdd`)]);
    pass(l, 'ln2', [layerNorm.bind({ x, g: blk.ln2g, b: blk.ln2b, y: h }, { rows: t, d, eps }, `${L}.ln2`)]);
    pass(l, 'fc', [linear(blk.fc, h, fc, true, `${L}.fc`)], true);
    if (options.activations) copy(fc, mlpOffsets[l], 4 * t * m);
    pass(l, 'fc.proj', [linear(blk.fcProj, fc, proj, false, `${L}.fcProj`)], true);
    pass(l, 'mlp.add', [elementwise.residualAdd({ x, y: proj }, t * d, `${L}.mlpAdd`)]);
  });
  if (options.activations) copy(x, residualOffsets[nLayer], 4 * t * d);
  pass(nLayer, 'lnf', [
    layerNorm.bind({ x, g: model.lnfg, b: model.lnfb, y: h }, { rows: t, d, eps }, 'lnf'),
  ]);
  if (options.logits === 'last') {
    // Decoding needs only the last position's logits: unembed one row instead of t.
    steps.push({
      kind: 'copy',
      copy: { src: h, srcOffset: 4 * (t - 1) * d, dst: last, dstOffset: 0, size: 4 * d },
    });
  }
  // Tied unembedding: CSR when the sparse twin's embedding was pruned too, else the dense wte.
  const unembed = model.unembedCsr
    ? kernels.sparse.bind({ x: last, csr: model.unembedCsr, y: logits }, { batch: logitRows }, 'auto')
    : kernels.dense.bind({ x: last, w: model.wte, y: logits }, { batch: logitRows, n: vocabSize, k: d });
  pass(nLayer, 'unembed', [unembed], true);
  copy(logits, logitsOffset, 4 * logitRows * vocabSize);

  return {
    t,
    logitRows,
    steps,
    tokens,
    step,
    staging,
    layout: { residual: residualOffsets, mlp: mlpOffsets, logits: logitsOffset },
    activations: options.activations,
    dispose() {
      for (const b of owned) b.destroy();
      for (const s of steps) if (s.kind === 'pass') disposeDispatches(s.pass.dispatches);
    },
  };
}
