// The forward plan of a circuit_sparsity model (config.arch): the same plan shape, staging layout and pass
// names as buildForwardPlan (GPT-2), with RMSNorm or LayerNorm, AbsTopK passes where the config asks, the
// MLP activation and residual ReLU as in-place passes, attention over n_head·d_head with a sink (the fused kernels, as GPT-2), and the
// untied unembedding + final_logits_bias + bigram rows. CPU reference: forwardCsp (src/math/cspForward.ts).
import type { KernelRun } from '../../gpu/autotune/linearKernels';
import type { AbsTopKKernel } from '../../gpu/kernels/absTopK';
import type { FlashAttentionKernel } from '../../gpu/kernels/attentionFused';
import type { CspElementwiseKernels } from '../../gpu/kernels/cspElementwise';
import type { Dispatch } from '../../gpu/kernels/dispatch';
import { type AbsTopKLocation, attentionWidth, topKAt } from '../../math/arch';
import type { Gpt2Config } from '../../model/config';
import { bindLinear } from './bindLinear';
import type { GpuCspExtras } from './cspBuffers';
import type { Kernels } from './forwardPlan';
import type { GpuLinear, GpuModel } from './modelBuffers';
import { allocatePlanBuffers, type ForwardPlan, finishPlan, type PlanOptions, type PlanStep } from './plan';

export interface CspKernels {
  elementwise: CspElementwiseKernels;
  topK: AbsTopKKernel;
  /** Built with sinks (every variant takes the per-head sink logits). */
  attention: FlashAttentionKernel;
}

export function buildCspForwardPlan(
  device: GPUDevice,
  kernels: Kernels,
  csp: CspKernels,
  model: GpuModel,
  config: Gpt2Config,
  t: number,
  options: PlanOptions,
): ForwardPlan {
  const arch = config.arch;
  const extras = model.csp;
  if (!arch || !extras) throw new Error('buildCspForwardPlan: not a circuit_sparsity model');
  const { dModel: d, dMlp: m, nHead, nLayer, vocabSize: V, layerNormEps: eps } = config;
  const A = attentionWidth(config);
  const buffers = allocatePlanBuffers(
    device,
    `CspPlan.${model.path}.t${t}`,
    { t, d, m, attention: A, nLayer, vocab: V },
    options,
  );
  const { x, h, qkv, att, proj, fc, logits, last, tokens, step, staging, logitRows, layout } = buffers;

  const steps: PlanStep[] = [];
  // A pass's kernel (its first dispatch's run, a linear's) is what its LayerTiming names.
  const pass = (
    layer: number,
    op: string,
    dispatches: (Dispatch & { run?: KernelRun })[],
    idempotent = false,
  ) => {
    if (dispatches.length > 0) {
      steps.push({ kind: 'pass', pass: { layer, op, dispatches, idempotent, kernel: dispatches[0].run } });
    }
  };
  const copy = (src: GPUBuffer, dstOffset: number, size: number) =>
    steps.push({ kind: 'copy', copy: { src, srcOffset: 0, dst: staging, dstOffset, size } });
  const linear = (
    lin: GpuLinear | GpuCspExtras['head'],
    input: GPUBuffer,
    output: GPUBuffer,
    rows: number,
    n: number,
    k: number,
    label: string,
  ) => bindLinear(kernels, lin, { x: input, y: output }, { batch: rows, n, k }, 'none', label);
  /** The AbsTopK dispatch at `location`, if the config puts one there. */
  const topK = (
    target: GPUBuffer,
    location: AbsTopKLocation,
    width: number,
    label: string,
    stride = width,
    offset = 0,
  ): Dispatch[] => {
    const k = topKAt(arch, location, width);
    return k === null ? [] : [csp.topK.bind(target, { rows: t, width, k, stride, offset }, label)];
  };
  const norm = (input: GPUBuffer, g: GPUBuffer, b: GPUBuffer, output: GPUBuffer, label: string): Dispatch =>
    arch.norm === 'rmsnorm'
      ? csp.elementwise.rmsNorm({ x: input, g, y: output }, { rows: t, d, eps }, label)
      : kernels.layerNorm.bind({ x: input, g, b, y: output }, { rows: t, d, eps }, label);
  const residualTail = (location: AbsTopKLocation, label: string): Dispatch[] => [
    ...(arch.residualRelu ? [csp.elementwise.activation(x, 'relu', t * d, `${label}.relu`)] : []),
    ...topK(x, location, d, `${label}.topk`),
  ];
  const { elementwise } = kernels;

  pass(0, 'embed', [elementwise.embed({ tokens, wte: model.wte, wpe: model.wpe, out: x, step }, { t, d })]);
  model.blocks.forEach((blk, l) => {
    const L = `L${l}`;
    if (options.activations) copy(x, layout.residual[l], 4 * t * d);
    pass(l, 'ln1', [norm(x, blk.ln1g, blk.ln1b, h, `${L}.ln1`), ...topK(h, 'attn_in', d, `${L}.attnIn`)]);
    pass(l, 'qkv', [linear(blk.qkv, h, qkv, t, 3 * A, d, `${L}.qkv`)], true);
    pass(l, 'attn.topk', [
      ...topK(qkv, 'attn_q', A, `${L}.q`, 3 * A, 0),
      ...topK(qkv, 'attn_k', A, `${L}.k`, 3 * A, A),
      ...topK(qkv, 'attn_v', A, `${L}.v`, 3 * A, 2 * A),
    ]);
    pass(l, 'attn.core', [
      elementwise.kvWrite({ qkv, kcache: blk.kcache, vcache: blk.vcache, step }, { t, d: A }, `${L}.kvWrite`),
      ...csp.attention.bind(
        { qkv, kcache: blk.kcache, vcache: blk.vcache, sink: extras.sinks[l], out: att, step },
        { t, d: A, nHead },
        `${L}.attn`,
      ).dispatches,
    ]);
    pass(l, 'attn.proj', [linear(blk.attnProj, att, proj, t, d, A, `${L}.attnProj`)], true);
    pass(l, 'attn.add', [
      ...topK(proj, 'attn_out', d, `${L}.attnOut`),
      elementwise.residualAdd({ x, y: proj }, t * d, `${L}.attnAdd`),
      ...residualTail('resid_post_attn', `${L}.residAttn`),
    ]);
    pass(l, 'ln2', [norm(x, blk.ln2g, blk.ln2b, h, `${L}.ln2`), ...topK(h, 'mlp_in', d, `${L}.mlpIn`)]);
    pass(l, 'fc', [linear(blk.fc, h, fc, t, m, d, `${L}.fc`)], true);
    pass(l, 'fc.act', [
      csp.elementwise.activation(fc, arch.activation, t * m, `${L}.act`),
      ...topK(fc, 'mlp_neuron', m, `${L}.neuron`),
    ]);
    if (options.activations) copy(fc, layout.mlp[l], 4 * t * m);
    pass(l, 'fc.proj', [linear(blk.fcProj, fc, proj, t, d, m, `${L}.fcProj`)], true);
    pass(l, 'mlp.add', [
      ...topK(proj, 'mlp_out', d, `${L}.mlpOut`),
      elementwise.residualAdd({ x, y: proj }, t * d, `${L}.mlpAdd`),
      ...residualTail('resid_post_mlp', `${L}.residMlp`),
    ]);
  });
  if (options.activations) copy(x, layout.residual[nLayer], 4 * t * d);
  pass(nLayer, 'lnf', [norm(x, model.lnfg, model.lnfb, h, 'lnf')]);
  if (options.logits === 'last') {
    steps.push({
      kind: 'copy',
      copy: { src: h, srcOffset: 4 * (t - 1) * d, dst: last, dstOffset: 0, size: 4 * d },
    });
  }
  pass(nLayer, 'unembed', [linear(extras.head, last, logits, logitRows, V, d, 'unembed')], true);
  if (extras.bigram) {
    const firstToken = options.logits === 'last' ? t - 1 : 0;
    pass(nLayer, 'bigram', [
      csp.elementwise.bigramAdd(
        { bigram: extras.bigram, tokens, logits },
        { rows: logitRows, vocab: V, firstToken },
      ),
    ]);
  }
  copy(logits, layout.logits, 4 * logitRows * V);

  return finishPlan(t, buffers, steps, options);
}
