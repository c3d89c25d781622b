// GPT-2 forward with every circuit node gated, and the backward to the gates, for `batch` sequences of T
// tokens (R = batch·T rows) scored at one answer row each. A node value x at any position becomes
//   x' = m + g·(x − m)        (g = 1 keeps the node, g = 0 ablates it to its mean m, or to 0)
// so  dL/dg = Σ_rows dL/dx'·(x − m)  and  dL/dx = g·dL/dx'. The weights stay frozen: only input
// gradients are propagated, through the same ops as training (src/train: layer norm, attention, GELU
// backward); linear layers' input gradients use pre-transposed weights so matmulFast runs them.
// Works in Float32Array (discovery) or Float64Array (the gradient check against finite differences).

import type { Gpt2Weights } from '../model/weights';
import { attentionBackward, attentionForward, probsLength } from '../train/attentionGrad';
import { embeddingForward } from '../train/embeddingGrad';
import type { Floats } from '../train/floats';
import { geluBackward } from '../train/geluGrad';
import { type LayerNormStats, layerNormBackward, layerNormForward } from '../train/layerNormGrad';
import { linearForward } from '../train/linearGrad';
import { addInto, applyGates, gatesBackward, geluFast, inputGrad, transposedOf } from './gateOps';
import { type NodeLayout, nodeLayout, offsetOf } from './locations';

type Precision = 'f32' | 'f64';

interface BlockTape {
  xIn: Floats;
  n1Raw: Floats;
  n1: Floats;
  st1: LayerNormStats;
  /** (R, 3d) before and after the q/k/v gates. */
  qkvRaw: Floats;
  qkv: Floats;
  probs: Floats;
  att: Floats;
  projRaw: Floats;
  xMid: Floats;
  n2Raw: Floats;
  n2: Floats;
  st2: LayerNormStats;
  hPre: Floats;
  hTanh: Floats;
  hRaw: Floats;
  h: Floats;
  outRaw: Floats;
}

/**
 * Buffers for up to maxBatch sequences of up to maxT tokens; each forward() may use a smaller batch and T
 * (the leading part of every buffer), so batches of different lengths share one workspace.
 */
export class MaskedWorkspace {
  /** Shape of the last forward(): batch sequences of T tokens, rows = batch·T. */
  batch = 0;
  T = 0;
  rows = 0;
  readonly layout: NodeLayout;
  readonly blocks: BlockTape[] = [];
  readonly xOut: Floats;
  readonly nfRaw: Floats;
  readonly nf: Floats;
  readonly stf: LayerNormStats;
  /** (batch, d) final-norm rows at the answers, and their logits (batch, vocab). */
  readonly nfAnswers: Floats;
  readonly logits: Floats;
  private readonly answerRows: Int32Array;
  // Backward scratch.
  private readonly dx: Floats;
  private readonly dn: Floats;
  private readonly dBranch: Floats;
  private readonly dAtt: Floats;
  private readonly dqkv: Floats;
  private readonly dh: Floats;
  private readonly dNfAnswers: Floats;
  private readonly dg: Float64Array;
  private readonly db: Float64Array;

  constructor(
    readonly weights: Gpt2Weights,
    readonly maxBatch: number,
    readonly maxT: number,
    precision: Precision = 'f32',
  ) {
    const { dModel: d, dMlp: m, nHead, nLayer, vocabSize, nCtx } = weights.config;
    if (maxT > nCtx) throw new Error(`circuit: sequence length ${maxT} exceeds the context ${nCtx}`);
    // Its gradients follow GPT-2's ops; a circuit_sparsity model (RMSNorm, AbsTopK, sink, …) would be wrong.
    if (weights.config.arch) throw new Error('circuit discovery does not handle circuit_sparsity models yet');
    const batch = maxBatch;
    const T = maxT;
    const R = batch * T;
    this.layout = nodeLayout(weights.config);
    const make = (n: number): Floats => (precision === 'f64' ? new Float64Array(n) : new Float32Array(n));
    const stats = (): LayerNormStats => ({ mean: new Float64Array(R), rstd: new Float64Array(R) });
    for (let l = 0; l < nLayer; l++) {
      this.blocks.push({
        xIn: make(R * d),
        n1Raw: make(R * d),
        n1: make(R * d),
        st1: stats(),
        qkvRaw: make(R * 3 * d),
        qkv: make(R * 3 * d),
        probs: make(probsLength({ batch, T, nHead, d })),
        att: make(R * d),
        projRaw: make(R * d),
        xMid: make(R * d),
        n2Raw: make(R * d),
        n2: make(R * d),
        st2: stats(),
        hPre: make(R * m),
        hTanh: make(R * m),
        hRaw: make(R * m),
        h: make(R * m),
        outRaw: make(R * d),
      });
    }
    this.xOut = make(R * d);
    this.nfRaw = make(R * d);
    this.nf = make(R * d);
    this.stf = stats();
    this.nfAnswers = make(batch * d);
    this.logits = make(batch * vocabSize);
    this.answerRows = new Int32Array(batch);
    this.dx = make(R * d);
    this.dn = make(R * d);
    this.dBranch = make(R * d);
    this.dAtt = make(R * d);
    this.dqkv = make(R * 3 * d);
    this.dh = make(R * m);
    this.dNfAnswers = make(batch * d);
    this.dg = new Float64Array(d);
    this.db = new Float64Array(d);
  }

  /**
   * Logits (batch, vocab) at each sequence's answer row. tokens: batch·T ids (batch = answerRows.length);
   * answerRows: per sequence the position (0..T−1) whose next-token prediction is scored; gates and means:
   * flat node arrays. The returned array is the workspace's (its first batch·vocab values).
   */
  forward(
    tokens: ArrayLike<number>,
    answerRows: ArrayLike<number>,
    gates: ArrayLike<number>,
    means: ArrayLike<number>,
  ): Floats {
    const w = this.weights;
    const { dModel: d, dMlp: m, nHead, vocabSize, layerNormEps: eps } = w.config;
    const { layout } = this;
    const batch = answerRows.length;
    const T = tokens.length / Math.max(batch, 1);
    if (!Number.isInteger(T) || batch < 1 || batch > this.maxBatch || T > this.maxT)
      throw new Error(
        `circuit: ${tokens.length} tokens for ${batch} sequences (at most ${this.maxBatch}×${this.maxT})`,
      );
    const R = batch * T;
    this.batch = batch;
    this.T = T;
    this.rows = R;
    if (gates.length !== layout.total || means.length !== layout.total)
      throw new Error(`circuit: ${gates.length} gates / ${means.length} means for ${layout.total} nodes`);
    const shape = { batch, T, nHead, d };
    embeddingForward(tokens, w.wte, w.wpe, batch, T, d, this.blocks[0].xIn);
    for (let l = 0; l < w.blocks.length; l++) {
      const blk = w.blocks[l];
      const t = this.blocks[l];
      const at = (kind: Parameters<typeof offsetOf>[2]) => offsetOf(layout, l, kind);
      layerNormForward(t.xIn, blk.ln1.g, blk.ln1.b, R, d, eps, t.n1Raw, t.st1);
      applyGates(t.n1Raw, t.n1, R, d, gates, means, at('attn.in'));
      linearForward(t.n1, blk.qkv.w, blk.qkv.b, R, 3 * d, d, t.qkvRaw);
      applyGates(t.qkvRaw, t.qkv, R, 3 * d, gates, means, at('attn.q'));
      attentionForward(t.qkv, shape, t.probs, t.att);
      linearForward(t.att, blk.attnProj.w, blk.attnProj.b, R, d, d, t.projRaw);
      applyGates(t.projRaw, this.dBranch, R, d, gates, means, at('attn.out'));
      addInto(t.xMid, t.xIn, this.dBranch, R * d);
      layerNormForward(t.xMid, blk.ln2.g, blk.ln2.b, R, d, eps, t.n2Raw, t.st2);
      applyGates(t.n2Raw, t.n2, R, d, gates, means, at('mlp.in'));
      linearForward(t.n2, blk.fc.w, blk.fc.b, R, m, d, t.hPre);
      geluFast(t.hPre, t.hRaw, t.hTanh, R * m);
      applyGates(t.hRaw, t.h, R, m, gates, means, at('mlp.neuron'));
      linearForward(t.h, blk.fcProj.w, blk.fcProj.b, R, d, m, t.outRaw);
      applyGates(t.outRaw, this.dBranch, R, d, gates, means, at('mlp.out'));
      const next = l + 1 < w.blocks.length ? this.blocks[l + 1].xIn : this.xOut;
      addInto(next, t.xMid, this.dBranch, R * d);
    }
    layerNormForward(this.xOut, w.lnf.g, w.lnf.b, R, d, eps, this.nfRaw, this.stf);
    applyGates(this.nfRaw, this.nf, R, d, gates, means, offsetOf(layout, -1, 'ln_f'));
    for (let b = 0; b < batch; b++) {
      const pos = answerRows[b];
      if (!(pos >= 0 && pos < T)) throw new Error(`circuit: answer position ${pos} outside 0..${T - 1}`);
      this.answerRows[b] = b * T + pos;
      const src = this.answerRows[b] * d;
      for (let i = 0; i < d; i++) this.nfAnswers[b * d + i] = this.nf[src + i];
    }
    linearForward(this.nfAnswers, w.wte, null, batch, vocabSize, d, this.logits);
    return this.logits.subarray(0, batch * vocabSize);
  }

  /**
   * After forward(): ADDS dL/dgate into dGates given dL/dlogits (batch, vocab) for the same call.
   * (The gate arrays must be the ones forward() saw.)
   */
  backward(dlogits: Floats, gates: ArrayLike<number>, means: ArrayLike<number>, dGates: Float64Array): void {
    const w = this.weights;
    const { dModel: d, dMlp: m, nHead, vocabSize } = w.config;
    const { batch, T, rows: R, layout, dx, dn, dBranch, dAtt, dqkv, dh, dg, db } = this;
    const shape = { batch, T, nHead, d };
    const tr = transposedOf(w);
    inputGrad(dlogits, w.wte, tr.wte, batch, vocabSize, d, this.dNfAnswers);
    dn.fill(0);
    for (let b = 0; b < batch; b++) {
      const dst = this.answerRows[b] * d;
      for (let i = 0; i < d; i++) dn[dst + i] = this.dNfAnswers[b * d + i];
    }
    gatesBackward(dn, this.nfRaw, R, d, gates, means, offsetOf(layout, -1, 'ln_f'), dGates, dn);
    dx.fill(0);
    layerNormBackward(dn, this.xOut, w.lnf.g, this.stf, R, d, dx, dg, db);
    for (let l = w.blocks.length - 1; l >= 0; l--) {
      const blk = w.blocks[l];
      const t = this.blocks[l];
      const trb = tr.blocks[l];
      const at = (kind: Parameters<typeof offsetOf>[2]) => offsetOf(layout, l, kind);
      // dx holds dL/d(block output); the MLP branch:
      gatesBackward(dx, t.outRaw, R, d, gates, means, at('mlp.out'), dGates, dBranch);
      inputGrad(dBranch, blk.fcProj.w, trb.fcProj, R, d, m, dh);
      gatesBackward(dh, t.hRaw, R, m, gates, means, at('mlp.neuron'), dGates, dh);
      const live = R * m; // the workspace may be larger than this call's rows
      geluBackward(
        dh.subarray(0, live),
        t.hPre.subarray(0, live),
        dh.subarray(0, live),
        t.hTanh.subarray(0, live),
      );
      inputGrad(dh, blk.fc.w, trb.fc, R, m, d, dn);
      gatesBackward(dn, t.n2Raw, R, d, gates, means, at('mlp.in'), dGates, dn);
      layerNormBackward(dn, t.xMid, blk.ln2.g, t.st2, R, d, dx, dg, db);
      // dx holds dL/dxMid; the attention branch:
      gatesBackward(dx, t.projRaw, R, d, gates, means, at('attn.out'), dGates, dBranch);
      inputGrad(dBranch, blk.attnProj.w, trb.proj, R, d, d, dAtt);
      attentionBackward(dAtt, t.qkv, t.probs, shape, dqkv);
      gatesBackward(dqkv, t.qkvRaw, R, 3 * d, gates, means, at('attn.q'), dGates, dqkv);
      inputGrad(dqkv, blk.qkv.w, trb.qkv, R, 3 * d, d, dn);
      gatesBackward(dn, t.n1Raw, R, d, gates, means, at('attn.in'), dGates, dn);
      layerNormBackward(dn, t.xIn, blk.ln1.g, t.st1, R, d, dx, dg, db);
    }
  }

  /** After forward(): calls fn(location offset, raw row values) for every location of every row < lengths[b]. */
  forEachRawRow(
    lengths: ArrayLike<number>,
    fn: (offset: number, values: Floats, start: number, width: number) => void,
  ): void {
    const { dModel: d, dMlp: m } = this.weights.config;
    const { layout, T } = this;
    const visit = (offset: number, arr: Floats, width: number) => {
      for (let b = 0; b < this.batch; b++)
        for (let t = 0; t < lengths[b]; t++) fn(offset, arr, (b * T + t) * width, width);
    };
    this.blocks.forEach((t, l) => {
      visit(offsetOf(layout, l, 'attn.in'), t.n1Raw, d);
      visit(offsetOf(layout, l, 'attn.q'), t.qkvRaw, 3 * d);
      visit(offsetOf(layout, l, 'attn.out'), t.projRaw, d);
      visit(offsetOf(layout, l, 'mlp.in'), t.n2Raw, d);
      visit(offsetOf(layout, l, 'mlp.neuron'), t.hRaw, m);
      visit(offsetOf(layout, l, 'mlp.out'), t.outRaw, d);
    });
    visit(offsetOf(layout, -1, 'ln_f'), this.nfRaw, d);
  }
}
