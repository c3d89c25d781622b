// The trainable tensors of a Gpt2Weights, named and classified, in one fixed order. Optimizer state,
// gradients and the checkpoint writer all walk this list, so a tensor's slot never depends on iteration
// order of an object.

import type { Gpt2Weights, LayerNormParams, Linear } from '../model/weights';

type ParamKind = 'matrix' | 'embedding' | 'bias' | 'norm';

export interface NamedParam {
  /** 'wte', 'wpe', 'h.0.ln1.g', 'h.0.qkv.w', 'h.0.qkv.b', …, 'lnf.b'. */
  name: string;
  data: Float32Array;
  kind: ParamKind;
  /** For block matrices: (n, k) out×in, the shape the sparse run prunes. */
  rows?: number;
  cols?: number;
}

function linearParams(prefix: string, lin: Linear): NamedParam[] {
  return [
    { name: `${prefix}.w`, data: lin.w, kind: 'matrix', rows: lin.n, cols: lin.k },
    { name: `${prefix}.b`, data: lin.b, kind: 'bias' },
  ];
}

function normParams(prefix: string, ln: LayerNormParams): NamedParam[] {
  return [
    { name: `${prefix}.g`, data: ln.g, kind: 'norm' },
    { name: `${prefix}.b`, data: ln.b, kind: 'norm' },
  ];
}

/** Every parameter tensor of `w` (the arrays themselves, not copies), in forward order. */
export function namedParams(w: Gpt2Weights): NamedParam[] {
  const out: NamedParam[] = [
    { name: 'wte', data: w.wte, kind: 'embedding' },
    { name: 'wpe', data: w.wpe, kind: 'embedding' },
  ];
  w.blocks.forEach((blk, i) => {
    const p = `h.${i}`;
    out.push(
      ...normParams(`${p}.ln1`, blk.ln1),
      ...linearParams(`${p}.qkv`, blk.qkv),
      ...linearParams(`${p}.attn.proj`, blk.attnProj),
      ...normParams(`${p}.ln2`, blk.ln2),
      ...linearParams(`${p}.fc`, blk.fc),
      ...linearParams(`${p}.fc.proj`, blk.fcProj),
    );
  });
  out.push(...normParams('lnf', w.lnf));
  return out;
}

const zeroLinear = (lin: Linear): Linear => ({
  w: new Float32Array(lin.w.length),
  b: new Float32Array(lin.b.length),
  n: lin.n,
  k: lin.k,
});
const zeroNorm = (ln: LayerNormParams): LayerNormParams => ({
  g: new Float32Array(ln.g.length),
  b: new Float32Array(ln.b.length),
});

/** Same structure as `w`, every array zero: the gradient holder. */
export function zerosLikeWeights(w: Gpt2Weights): Gpt2Weights {
  return {
    config: { ...w.config },
    wte: new Float32Array(w.wte.length),
    wpe: new Float32Array(w.wpe.length),
    blocks: w.blocks.map((b) => ({
      ln1: zeroNorm(b.ln1),
      qkv: zeroLinear(b.qkv),
      attnProj: zeroLinear(b.attnProj),
      ln2: zeroNorm(b.ln2),
      fc: zeroLinear(b.fc),
      fcProj: zeroLinear(b.fcProj),
    })),
    lnf: zeroNorm(w.lnf),
  };
}
