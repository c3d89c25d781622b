// A forward plan: every dispatch of one GPT-2 forward pass for T new tokens on one path, bound once to
// buffers allocated once. Plans are cached per (path, T, logits mode, activations); a call only writes the tokens and
// the start position, encodes, and reads back one staging buffer. What a plan is, and its buffers: plan.ts.
import type { KernelRun } from '../../gpu/autotune/linearKernels';
import type { FlashAttentionKernel } from '../../gpu/kernels/attentionFused';
import type { Dispatch } from '../../gpu/kernels/dispatch';
import type { ElementwiseKernels } from '../../gpu/kernels/elementwise';
import type { LayerNormKernel } from '../../gpu/kernels/layerNorm';
import type { Gpt2Config } from '../../model/config';
import { bindLinear, type LinearKernelSet } from './bindLinear';
import type { GpuLinear, GpuModel } from './modelBuffers';
import { allocatePlanBuffers, type ForwardPlan, finishPlan, type PlanOptions, type PlanStep } from './plan';

export interface Kernels extends LinearKernelSet {
  layerNorm: LayerNormKernel;
  elementwise: ElementwiseKernels;
  attention: FlashAttentionKernel;
}

export function buildForwardPlan(
  device: GPUDevice,
  kernels: Kernels,
  model: GpuModel,
  config: Gpt2Config,
  t: number,
  options: PlanOptions,
): ForwardPlan {
  const { dModel: d, dMlp: m, nHead, nLayer, vocabSize, layerNormEps: eps } = config;
  const buffers = allocatePlanBuffers(
    device,
    `Plan.${model.path}.t${t}`,
    { t, d, m, attention: d, nLayer, vocab: vocabSize },
    options,
  );
  const { x, h, qkv, att, proj, fc, logits, last, tokens, step, staging, logitRows, layout } = buffers;

  const steps: PlanStep[] = [];
  // Every pass but the residual adds (x += y) writes the same output when run again: the measurement
  // protocol may repeat it inside one sample (the KV write stores the same rows again).
  const pass = (
    layer: number,
    op: string,
    dispatches: (Dispatch & { run?: KernelRun })[],
    idempotent = !op.endsWith('.add'),
  ) => steps.push({ kind: 'pass', pass: { layer, op, dispatches, idempotent, kernel: dispatches[0]?.run } });
  const copy = (src: GPUBuffer, dstOffset: number, size: number) =>
    steps.push({ kind: 'copy', copy: { src, srcOffset: 0, dst: staging, dstOffset, size } });
  const linear = (lin: GpuLinear, input: GPUBuffer, output: GPUBuffer, gelu: boolean, label: string) =>
    bindLinear(
      kernels,
      lin,
      { x: input, y: output },
      { batch: t, n: lin.n, k: lin.k },
      gelu ? 'gelu' : 'none',
      label,
    );
  const { layerNorm, elementwise, attention } = kernels;

  pass(0, 'embed', [elementwise.embed({ tokens, wte: model.wte, wpe: model.wpe, out: x, step }, { t, d })]);
  model.blocks.forEach((blk, l) => {
    const L = `L${l}`;
    if (options.activations) copy(x, layout.residual[l], 4 * t * d);
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
    if (options.activations) copy(fc, layout.mlp[l], 4 * t * m);
    pass(l, 'fc.proj', [linear(blk.fcProj, fc, proj, false, `${L}.fcProj`)], true);
    pass(l, 'mlp.add', [elementwise.residualAdd({ x, y: proj }, t * d, `${L}.mlpAdd`)]);
  });
  if (options.activations) copy(x, layout.residual[nLayer], 4 * t * d);
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
  // Tied unembedding, no bias: CSR when the sparse twin's embedding was pruned too, else the dense wte.
  const unembed = bindLinear(
    kernels,
    model.unembedCsr ? { csr: model.unembedCsr } : { dense: model.wte },
    { x: last, y: logits },
    { batch: logitRows, n: vocabSize, k: d },
    'none',
    'unembed',
  );
  pass(nLayer, 'unembed', [unembed], true);
  copy(logits, layout.logits, 4 * logitRows * vocabSize);

  return finishPlan(t, buffers, steps, options);
}
