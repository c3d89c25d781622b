// GPT-2 forward with a tape, and the backward pass through it, for `batch` sequences of T tokens
// (R = batch·T rows). The forward is the same arithmetic as forwardCpu (src/math/transformer.ts), op for
// op; its logits equal the inference oracle's to within matmulFast's shape-dependent f32 rounding
// (<1e-5; the non-matmul ops are bit-identical). The backward chains the per-op gradients of this
// folder. Everything is Float32Array here; the ops are checked in f64 one by one.

import type { Gpt2Weights } from '../model/weights';
import { attentionBackward, attentionForward, probsLength } from './attentionGrad';
import { softmaxCrossEntropy } from './crossEntropy';
import { embeddingBackward, embeddingForward } from './embeddingGrad';
import { geluBackward, geluForward } from './geluGrad';
import { type LayerNormStats, layerNormBackward, layerNormForward } from './layerNormGrad';
import { LinearScratch, linearBackward, linearForward } from './linearGrad';

/** Activations one block keeps for its backward. Shapes: (R, d) unless noted. */
interface BlockTape {
  xIn: Float32Array;
  n1: Float32Array;
  st1: LayerNormStats;
  /** (R, 3d). */
  qkv: Float32Array;
  /** (B, H, T, T). */
  probs: Float32Array;
  att: Float32Array;
  xMid: Float32Array;
  n2: Float32Array;
  st2: LayerNormStats;
  /** (R, dMlp) before and after GELU, and GELU's tanh (kept for the backward). */
  hPre: Float32Array;
  hAct: Float32Array;
  hTanh: Float32Array;
}

const stats = (rows: number): LayerNormStats => ({
  mean: new Float64Array(rows),
  rstd: new Float64Array(rows),
});

/** Every buffer one (weights shape, batch, T) needs, allocated once and reused across steps. */
export class TrainWorkspace {
  readonly rows: number;
  readonly blocks: BlockTape[] = [];
  readonly xOut: Float32Array;
  readonly nf: Float32Array;
  readonly stf: LayerNormStats;
  /** (R, vocab); the backward overwrites it with dlogits. */
  readonly logits: Float32Array;
  // Backward scratch.
  readonly dx: Float32Array;
  readonly dn: Float32Array;
  readonly dAtt: Float32Array;
  readonly dqkv: Float32Array;
  readonly dh: Float32Array;
  readonly scratch = new LinearScratch();

  constructor(
    readonly weights: Gpt2Weights,
    readonly batch: number,
    readonly T: number,
  ) {
    const { dModel: d, dMlp: m, nHead, nLayer, vocabSize, nCtx } = weights.config;
    if (T > nCtx) throw new Error(`train: sequence length ${T} exceeds the context ${nCtx}`);
    const R = batch * T;
    this.rows = R;
    for (let l = 0; l < nLayer; l++) {
      this.blocks.push({
        xIn: new Float32Array(R * d),
        n1: new Float32Array(R * d),
        st1: stats(R),
        qkv: new Float32Array(R * 3 * d),
        probs: new Float32Array(probsLength({ batch, T, nHead, d })),
        att: new Float32Array(R * d),
        xMid: new Float32Array(R * d),
        n2: new Float32Array(R * d),
        st2: stats(R),
        hPre: new Float32Array(R * m),
        hAct: new Float32Array(R * m),
        hTanh: new Float32Array(R * m),
      });
    }
    this.xOut = new Float32Array(R * d);
    this.nf = new Float32Array(R * d);
    this.stf = stats(R);
    this.logits = new Float32Array(R * vocabSize);
    this.dx = new Float32Array(R * d);
    this.dn = new Float32Array(R * d);
    this.dAtt = new Float32Array(R * d);
    this.dqkv = new Float32Array(R * 3 * d);
    this.dh = new Float32Array(R * m);
  }
}

function addInto(out: Float32Array, a: Float32Array, b: Float32Array): void {
  for (let i = 0; i < out.length; i++) out[i] = a[i] + b[i];
}

/** Forward over tokens (batch·T ids, row-major); fills the tape and returns ws.logits (R, vocab). */
export function forwardTape(ws: TrainWorkspace, tokens: ArrayLike<number>): Float32Array {
  const w = ws.weights;
  const { dModel: d, dMlp: m, nHead, vocabSize, layerNormEps: eps } = w.config;
  const { batch, T, rows: R } = ws;
  if (tokens.length !== R) throw new Error(`train: ${tokens.length} tokens for ${batch}×${T}`);
  const shape = { batch, T, nHead, d };
  // Each block reads its input from its own tape slot, which the previous step wrote (nLayer ≥ 1).
  embeddingForward(tokens, w.wte, w.wpe, batch, T, d, ws.blocks[0].xIn);
  for (let l = 0; l < w.blocks.length; l++) {
    const blk = w.blocks[l];
    const tape = ws.blocks[l];
    layerNormForward(tape.xIn, blk.ln1.g, blk.ln1.b, R, d, eps, tape.n1, tape.st1);
    linearForward(tape.n1, blk.qkv.w, blk.qkv.b, R, 3 * d, d, tape.qkv);
    attentionForward(tape.qkv, shape, tape.probs, tape.att);
    linearForward(tape.att, blk.attnProj.w, blk.attnProj.b, R, d, d, ws.dn); // dn: scratch for the projection
    addInto(tape.xMid, tape.xIn, ws.dn);
    layerNormForward(tape.xMid, blk.ln2.g, blk.ln2.b, R, d, eps, tape.n2, tape.st2);
    linearForward(tape.n2, blk.fc.w, blk.fc.b, R, m, d, tape.hPre);
    geluForward(tape.hPre, tape.hAct, tape.hTanh);
    linearForward(tape.hAct, blk.fcProj.w, blk.fcProj.b, R, d, m, ws.dn);
    const next = l + 1 < w.blocks.length ? ws.blocks[l + 1].xIn : ws.xOut;
    addInto(next, tape.xMid, ws.dn);
  }
  layerNormForward(ws.xOut, w.lnf.g, w.lnf.b, R, d, eps, ws.nf, ws.stf);
  linearForward(ws.nf, w.wte, null, R, vocabSize, d, ws.logits);
  return ws.logits;
}

/**
 * Loss and gradients for one batch: targets (R) next-token ids, −1 where no loss is taken. Overwrites
 * every array of `grads` (a zerosLikeWeights of the model). Returns the mean cross-entropy.
 */
export function forwardBackward(
  ws: TrainWorkspace,
  grads: Gpt2Weights,
  tokens: ArrayLike<number>,
  targets: ArrayLike<number>,
): number {
  const w = ws.weights;
  const { dModel: d, dMlp: m, nHead, vocabSize } = w.config;
  const { batch, T, rows: R, scratch } = ws;
  const shape = { batch, T, nHead, d };
  forwardTape(ws, tokens);
  const dlogits = ws.logits; // overwritten in place
  const { loss } = softmaxCrossEntropy(ws.logits, targets, R, vocabSize, dlogits);

  // Tied unembedding: logits = nf · wteᵀ. dwte gets this share now and the embedding's share at the end.
  linearBackward(dlogits, ws.nf, w.wte, R, vocabSize, d, { dx: ws.dn, dw: grads.wte, db: null }, scratch);
  ws.dx.fill(0);
  layerNormBackward(ws.dn, ws.xOut, w.lnf.g, ws.stf, R, d, ws.dx, grads.lnf.g, grads.lnf.b);

  for (let l = w.blocks.length - 1; l >= 0; l--) {
    const blk = w.blocks[l];
    const g = grads.blocks[l];
    const tape = ws.blocks[l];
    // MLP: x_out = x_mid + fcProj(gelu(fc(ln2(x_mid)))). ws.dx holds dL/dx_out.
    linearBackward(
      ws.dx,
      tape.hAct,
      blk.fcProj.w,
      R,
      d,
      m,
      { dx: ws.dh, dw: g.fcProj.w, db: g.fcProj.b },
      scratch,
    );
    geluBackward(ws.dh, tape.hPre, ws.dh, tape.hTanh);
    linearBackward(ws.dh, tape.n2, blk.fc.w, R, m, d, { dx: ws.dn, dw: g.fc.w, db: g.fc.b }, scratch);
    layerNormBackward(ws.dn, tape.xMid, blk.ln2.g, tape.st2, R, d, ws.dx, g.ln2.g, g.ln2.b);
    // Attention: x_mid = x_in + attnProj(attn(qkv(ln1(x_in)))). ws.dx now holds dL/dx_mid.
    linearBackward(
      ws.dx,
      tape.att,
      blk.attnProj.w,
      R,
      d,
      d,
      { dx: ws.dAtt, dw: g.attnProj.w, db: g.attnProj.b },
      scratch,
    );
    attentionBackward(ws.dAtt, tape.qkv, tape.probs, shape, ws.dqkv);
    linearBackward(
      ws.dqkv,
      tape.n1,
      blk.qkv.w,
      R,
      3 * d,
      d,
      { dx: ws.dn, dw: g.qkv.w, db: g.qkv.b },
      scratch,
    );
    layerNormBackward(ws.dn, tape.xIn, blk.ln1.g, tape.st1, R, d, ws.dx, g.ln1.g, g.ln1.b);
  }
  grads.wpe.fill(0);
  embeddingBackward(ws.dx, tokens, batch, T, d, grads.wte, grads.wpe);
  return loss;
}
