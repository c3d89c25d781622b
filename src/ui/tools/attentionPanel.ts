// Per-head attention patterns (token × token) of one block, sparse above dense: recomputed here from the
// block's input (the residual activations the run returned) and the block's ln1 and q·k weights, so the
// backends need expose nothing more. Language models only; the sparse heads should look simpler.
import { attentionProbs } from '../../math/attentionProbs';
import { matmulFast } from '../../math/matmul';
import { layerNorm } from '../../math/norm';
import { spmmFast } from '../../math/spmm';
import type { LayerActivations } from '../../model/graph';
import type { Gpt2Weights } from '../../model/weights';
import { el } from '../../scene/overlays';

/** Block `layer`'s attention probabilities (nHead, T, T) for one path, from its input residual. */
function blockAttention(
  weights: Gpt2Weights,
  acts: LayerActivations,
  layer: number,
  path: 'dense' | 'sparse',
): Float32Array | null {
  const input = acts.byLayer[layer === 0 ? 'embed' : `b${layer - 1}.resid`];
  const { dModel: d, nHead, layerNormEps } = weights.config;
  const T = acts.tokens.length;
  const blk = weights.blocks[layer];
  // Standard GPT-2 blocks only (a circuit_sparsity model's attention width or norm differ): else none.
  if (!input || !blk || input.length !== T * d || blk.qkv.n !== 3 * d || blk.qkv.k !== d) return null;
  const normed = layerNorm(input, blk.ln1.g, blk.ln1.b, T, d, layerNormEps);
  const qkv =
    path === 'sparse' && blk.qkv.csr
      ? spmmFast(normed, blk.qkv.csr, blk.qkv.b, T, 'none')
      : matmulFast(normed, blk.qkv.w, blk.qkv.b, T, blk.qkv.n, blk.qkv.k, 'none');
  return attentionProbs(qkv, T, nHead, d);
}

function heatmap(
  probs: Float32Array,
  head: number,
  T: number,
  colour: [number, number, number],
): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = T;
  canvas.height = T;
  canvas.className = 'attn-map';
  const ctx = canvas.getContext('2d');
  if (!ctx) return canvas;
  const image = ctx.createImageData(T, T);
  for (let i = 0; i < T * T; i++) {
    const p = Math.sqrt(probs[head * T * T + i]); // sqrt: weak attention stays visible
    image.data.set(
      [18 + p * (colour[0] - 18), 20 + p * (colour[1] - 20), 28 + p * (colour[2] - 28), 255],
      4 * i,
    );
  }
  ctx.putImageData(image, 0, 0);
  return canvas;
}

interface AttentionSource {
  weights: { dense: Gpt2Weights; sparse: Gpt2Weights } | null;
  activations: { dense?: LayerActivations; sparse?: LayerActivations } | undefined;
}

export class AttentionPanel {
  readonly root = el('section', 'attention-panel');
  private readonly picker = document.createElement('select');
  private readonly grid = el('div', 'attn-grid');
  /** Probabilities per run's activations and block: a re-render (tab, drawer, hover) recomputes nothing. */
  private readonly probsCache = new WeakMap<object, Map<number, Float32Array | null>>();
  layer = 0;

  constructor(
    parent: HTMLElement,
    private readonly source: () => AttentionSource,
  ) {
    this.root.id = 'attention-panel';
    this.picker.setAttribute('aria-label', 'block');
    this.picker.addEventListener('change', () => {
      this.layer = Number(this.picker.value);
      this.render();
    });
    const head = el('div', 'attn-head');
    head.append(el('span', '', 'attention of'), this.picker);
    this.root.append(head, this.grid);
    parent.append(this.root);
  }

  private probs(weights: Gpt2Weights, acts: LayerActivations, path: 'dense' | 'sparse'): Float32Array | null {
    let byLayer = this.probsCache.get(acts);
    if (!byLayer) {
      byLayer = new Map();
      this.probsCache.set(acts, byLayer);
    }
    if (!byLayer.has(this.layer)) {
      let probs: Float32Array | null = null;
      try {
        probs = blockAttention(weights, acts, this.layer, path);
      } catch {
        probs = null; // shown as "no pattern"; the rest of the page is unaffected
      }
      byLayer.set(this.layer, probs);
    }
    return byLayer.get(this.layer) ?? null;
  }

  /** Redraw (new run, another block); does nothing while the panel is hidden. */
  render(): void {
    if (this.root.hidden || !this.root.isConnected) return;
    const { weights, activations } = this.source();
    this.grid.replaceChildren();
    if (!weights || !activations?.sparse || !activations.dense) {
      this.grid.append(el('p', 'attn-none', 'attention patterns are shown for language models'));
      return;
    }
    const nLayer = weights.dense.config.nLayer;
    this.layer = Math.min(this.layer, nLayer - 1);
    if (this.picker.options.length !== nLayer) {
      this.picker.replaceChildren(
        ...Array.from({ length: nLayer }, (_, l) => new Option(`block ${l}`, String(l))),
      );
    }
    this.picker.value = String(this.layer);
    const T = activations.sparse.tokens.length;
    for (const path of ['sparse', 'dense'] as const) {
      const probs = this.probs(weights[path], activations[path]!, path);
      const row = el('div', `attn-row attn-${path}`);
      row.append(el('span', 'attn-path', path));
      if (!probs) row.append(el('span', 'attn-none', 'no attention pattern for this block'));
      else {
        const colour: [number, number, number] = path === 'sparse' ? [94, 234, 212] : [165, 160, 255];
        for (let h = 0; h < weights[path].config.nHead; h++) {
          const cell = el('figure', 'attn-cell');
          cell.append(heatmap(probs, h, T, colour), el('figcaption', '', `h${h}`));
          cell.title = `${path} block ${this.layer} head ${h}: rows = query token, columns = key token`;
          row.append(cell);
        }
      }
      this.grid.append(row);
    }
  }
}
