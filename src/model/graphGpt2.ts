// GPT-2 weights → the scene's NetworkGraph: residual stream, attention q/k/v/output channels and MLP
// neurons per block, every edge set the real Linear (CSR of the stored nonzeros for the sparse twin).

import { CsrMatrix } from '../math/csr';
import {
  DenseWeights,
  type EdgeWeights,
  type GraphEdgeSet,
  type GraphLayer,
  type NetworkGraph,
  validateGraph,
} from './graph';

/** The parts of src/model/weights.ts' Linear the graph reads: w (n, k) out×in, csr when sparse. */
interface LinearLike {
  w: Float32Array;
  n: number;
  k: number;
  csr?: CsrMatrix;
}

/** Structural subset of Gpt2Weights, so the scene does not wait for (or depend on) the model code. */
export interface Gpt2Like {
  blocks: { qkv: LinearLike; attnProj: LinearLike; fc: LinearLike; fcProj: LinearLike }[];
}

export interface Gpt2GraphOptions {
  /** Sparse: every edge set is CSR of the stored nonzeros (csr if present). Dense: views of w. */
  sparse: boolean;
  nHead?: number;
  title?: string;
  /** Tied embedding (vocab, d) row-major; adds token and logit layers. Only for small vocabularies. */
  embedding?: {
    wte: Float32Array;
    vocab: number /** untied lm_head (vocab, d), if any */;
    unembed?: Float32Array;
  };
  /**
   * Without `embedding`: the unembedding alone, so a large vocabulary's logits (and the time they take)
   * are still a layer of the picture. `csr`: the sparse twin's pruned tied embedding, when it has one;
   * `unembed`: an untied lm_head (vocab, d).
   */
  unembedding?: { wte: Float32Array; vocab: number; csr?: CsrMatrix; unembed?: Float32Array };
}

function edgeWeights(lin: LinearLike, sparse: boolean): EdgeWeights {
  if (!sparse) return new DenseWeights(lin.n, lin.k, lin.w);
  return lin.csr ?? CsrMatrix.fromDense(lin.w, lin.n, lin.k);
}

/**
 * Nodes are what the weights connect. Per block b, bottom to top:
 *   resid(in) →qkv→ q·k·v (3d) ⇢ head outputs (d) →attnProj→ resid mid (d) →fc→ MLP (dMlp) →fcProj→ resid out (d)
 * (⇢: attention mixes positions, no weights, no edges). LayerNorms are per-channel scales: not drawn.
 */
export function graphFromGpt2(weights: Gpt2Like, options: Gpt2GraphOptions): NetworkGraph {
  const { sparse, nHead, embedding } = options;
  if (weights.blocks.length === 0) throw new Error('graphFromGpt2: the model has no blocks');
  const d = weights.blocks[0].qkv.k;
  const layers: GraphLayer[] = [];
  const edges: GraphEdgeSet[] = [];
  const link = (from: string, to: string, lin: LinearLike) =>
    edges.push({ from, to, weights: edgeWeights(lin, sparse), denseCount: lin.n * lin.k });
  const embedTranspose = (): DenseWeights | CsrMatrix => {
    const { wte, vocab } = embedding!;
    const t = new Float32Array(d * vocab); // (d, vocab): row = channel, column = token
    for (let v = 0; v < vocab; v++) for (let c = 0; c < d; c++) t[c * vocab + v] = wte[v * d + c];
    return new DenseWeights(d, vocab, t);
  };

  if (embedding) {
    layers.push({ id: 'tokens', name: 'tokens', group: 'embedding', size: embedding.vocab, kind: 'input' });
    layers.push({
      id: 'embed',
      name: 'residual (embedded)',
      group: 'embedding',
      size: d,
      kind: 'resid',
      timing: { op: 'embed' },
    });
    edges.push({ from: 'tokens', to: 'embed', weights: embedTranspose() });
  } else {
    layers.push({
      id: 'embed',
      name: 'residual (embedded)',
      group: 'embedding',
      size: d,
      kind: 'input',
      timing: { op: 'embed' },
    });
  }
  let resid = 'embed';
  weights.blocks.forEach((block, b) => {
    const group = `block ${b}`;
    const id = (s: string) => `b${b}.${s}`;
    const mlpSize = block.fc.n;
    layers.push(
      // q·k·v and head widths from the weights: n_head·d_head may differ from d (circuit_sparsity).
      { id: id('qkv'), name: 'q · k · v', group, size: block.qkv.n, kind: 'attn-in', heads: nHead },
      {
        id: id('attn'),
        name: 'attention heads out',
        group,
        size: block.attnProj.k,
        kind: 'attn-out',
        heads: nHead,
        timing: { layer: b, op: 'attn' },
      },
      { id: id('resid_mid'), name: 'residual (mid)', group, size: d, kind: 'resid' },
      {
        id: id('mlp'),
        name: 'MLP neurons',
        group,
        size: mlpSize,
        kind: 'mlp',
        timing: { layer: b, op: 'mlp' },
      },
      { id: id('resid'), name: 'residual (out)', group, size: d, kind: 'resid' },
    );
    link(resid, id('qkv'), block.qkv);
    link(id('attn'), id('resid_mid'), block.attnProj);
    link(id('resid_mid'), id('mlp'), block.fc);
    link(id('mlp'), id('resid'), block.fcProj);
    resid = id('resid');
  });
  const head = embedding ?? options.unembedding;
  if (head) {
    const { wte, vocab } = head;
    const unembed = head.unembed ?? wte;
    const csr = !embedding && unembed === wte ? options.unembedding?.csr : undefined;
    layers.push({
      id: 'logits',
      name: unembed === wte ? 'logits (tied unembedding)' : 'logits (lm_head)',
      group: 'output',
      size: vocab,
      kind: 'output',
      timing: { op: 'unembed' },
    });
    edges.push({ from: resid, to: 'logits', weights: csr ?? new DenseWeights(vocab, d, unembed) });
  }
  const title = options.title ?? (sparse ? 'Sparse' : 'Dense baseline');
  const graph: NetworkGraph = { title, layers, edges };
  validateGraph(graph);
  return graph;
}
