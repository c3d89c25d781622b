// The plain-data network the scene draws: layers of neurons and, between them, edge sets that are the
// real weight matrices (out×in, like every Linear here). Knows nothing of three.js or the GPU.

import type { CsrMatrix } from '../math/csr';

export type LayerKind = 'resid' | 'attn-in' | 'attn-out' | 'mlp' | 'input' | 'output';

export interface GraphLayer {
  /** Unique within a graph and shared by a sparse graph and its dense twin ('b3.mlp'). */
  id: string;
  name: string;
  /** What the layer belongs to, for labels: 'block 3', 'embedding'. */
  group: string;
  size: number;
  kind: LayerKind;
  /** What one neuron is called in labels ('neuron' in a layered DNN); by default from `kind`. */
  unitName?: string;
  /** Attention heads, so q/k/v and head-output channels can be named (kind 'attn-in' | 'attn-out'). */
  heads?: number;
  /** The LayerTiming rows drawn beside this layer: `op` ('attn', 'mlp', 'dnn', 'unembed'), `layer` if given. */
  timing?: { layer?: number; op: string };
}

/**
 * A weight matrix kept dense, shared with the model (no copy). Building CSR from the dense GPT-2 small
 * blocks would take 85 M entries × 8 bytes ≈ 680 MB; the scene only ever reads the rows and columns of
 * the neurons on screen, so a view is enough. data: (rows, cols) row-major, out×in.
 */
export class DenseWeights {
  private nonzeros = -1;

  constructor(
    readonly rows: number,
    readonly cols: number,
    readonly data: Float32Array,
  ) {
    if (data.length !== rows * cols) {
      throw new Error(`DenseWeights: ${data.length} values for a ${rows}×${cols} matrix`);
    }
  }

  get nnz(): number {
    if (this.nonzeros < 0) {
      let n = 0;
      for (let i = 0; i < this.data.length; i++) if (this.data[i] !== 0) n++;
      this.nonzeros = n;
    }
    return this.nonzeros;
  }
}

export type EdgeWeights = CsrMatrix | DenseWeights;

export interface GraphEdgeSet {
  from: string;
  to: string;
  /** (to.size, from.size), out×in: row = target neuron, column = source neuron. */
  weights: EdgeWeights;
  /** For a pruned edge set: how many weights the dense matrix it was pruned from had (rows·cols). */
  denseCount?: number;
}

export interface NetworkGraph {
  title: string;
  /** The density asked for when the graph was pruned (it can differ from what was kept: see sparsify). */
  requestedDensity?: number;
  layers: GraphLayer[];
  edges: GraphEdgeSet[];
}

/** Per-layer activations of one network: id → (tokens, size) row-major. */
export interface LayerActivations {
  tokens: string[];
  /** What a row is: 'token' (default) or 'image' (a layered network's input). */
  positionName?: string;
  byLayer: Record<string, Float32Array>;
}

// ---------- reading an edge matrix by row (fan-in) and by column (fan-out) ----------

const transposed = new WeakMap<CsrMatrix, CsrMatrix>();

function columnMajor(m: CsrMatrix): CsrMatrix {
  let t = transposed.get(m);
  if (!t) {
    t = m.transpose();
    transposed.set(m, t);
  }
  return t;
}

/** Calls fn(column, value) for every nonzero of row r (a target neuron's incoming weights). */
export function forEachInRow(m: EdgeWeights, r: number, fn: (col: number, value: number) => void): void {
  if (m instanceof DenseWeights) {
    const base = r * m.cols;
    for (let c = 0; c < m.cols; c++) if (m.data[base + c] !== 0) fn(c, m.data[base + c]);
    return;
  }
  for (let i = m.rowPtr[r]; i < m.rowPtr[r + 1]; i++) fn(m.colIdx[i], m.values[i]);
}

/** Calls fn(row, value) for every nonzero of column c (a source neuron's outgoing weights). */
export function forEachInCol(m: EdgeWeights, c: number, fn: (row: number, value: number) => void): void {
  if (m instanceof DenseWeights) {
    for (let r = 0; r < m.rows; r++) {
      const v = m.data[r * m.cols + c];
      if (v !== 0) fn(r, v);
    }
    return;
  }
  forEachInRow(columnMajor(m), c, fn);
}

/** w[r, c], 0 where not stored. */
export function weightAt(m: EdgeWeights, r: number, c: number): number {
  if (m instanceof DenseWeights) return m.data[r * m.cols + c];
  const { rowPtr, colIdx, values } = m;
  let lo = rowPtr[r];
  let hi = rowPtr[r + 1];
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (colIdx[mid] < c) lo = mid + 1;
    else hi = mid;
  }
  return lo < rowPtr[r + 1] && colIdx[lo] === c ? values[lo] : 0;
}

export function rowCount(m: EdgeWeights, r: number): number {
  if (m instanceof DenseWeights) {
    let n = 0;
    forEachInRow(m, r, () => n++);
    return n;
  }
  return m.rowLength(r);
}

export function colCount(m: EdgeWeights, c: number): number {
  if (m instanceof DenseWeights) {
    let n = 0;
    forEachInCol(m, c, () => n++);
    return n;
  }
  return columnMajor(m).rowLength(c);
}

// ---------- whole-graph helpers ----------

export function layerIndex(graph: NetworkGraph, id: string): number {
  const i = graph.layers.findIndex((l) => l.id === id);
  if (i < 0) throw new Error(`${graph.title}: no layer '${id}'`);
  return i;
}

/**
 * Stored weights and the dense count they stand for: the "1/64 of weights" label. Counts the pruned edge
 * sets (those with denseCount: the block matrices); kept-dense ones such as an embedding are left out,
 * unless nothing was pruned.
 */
export function weightCounts(graph: NetworkGraph): { nnz: number; dense: number } {
  const pruned = graph.edges.filter((e) => e.denseCount !== undefined);
  let nnz = 0;
  let dense = 0;
  for (const e of pruned.length ? pruned : graph.edges) {
    nnz += e.weights.nnz;
    dense += e.denseCount ?? e.weights.rows * e.weights.cols;
  }
  return { nnz, dense };
}

/** "1/64" for a fraction near 1/n, else a percentage. */
export function fractionLabel(fraction: number): string {
  if (!(fraction > 0)) return '0';
  if (fraction >= 0.995) return 'all';
  const n = Math.round(1 / fraction);
  if (n >= 2 && Math.abs(1 / n - fraction) / fraction < 0.08) return `1/${n}`;
  return `${(100 * fraction).toPrecision(2)}%`;
}

/** A readable name for neuron `index` of `layer`: 'k · head 2 · 17', 'MLP 1203', 'resid 5'. */
export function neuronLabel(layer: GraphLayer, index: number): string {
  if ((layer.kind === 'attn-in' || layer.kind === 'attn-out') && layer.heads) {
    const d = layer.kind === 'attn-in' ? layer.size / 3 : layer.size;
    const dHead = d / layer.heads;
    if (Number.isInteger(d) && Number.isInteger(dHead)) {
      const part = layer.kind === 'attn-in' ? `${'qkv'[Math.floor(index / d)]} · ` : '';
      const within = index % d;
      return `${part}head ${Math.floor(within / dHead)} · ${within % dHead}`;
    }
  }
  if (layer.unitName) return `${layer.unitName} ${index}`;
  const prefix: Record<LayerKind, string> = {
    resid: 'resid',
    'attn-in': 'qkv',
    'attn-out': 'head out',
    mlp: 'MLP',
    input: 'in',
    output: 'out',
  };
  return `${prefix[layer.kind]} ${index}`;
}

/** Throws unless every edge set joins two layers of the graph with a matrix of the right shape. */
export function validateGraph(graph: NetworkGraph): void {
  const sizes = new Map(graph.layers.map((l) => [l.id, l.size]));
  if (sizes.size !== graph.layers.length) throw new Error(`${graph.title}: duplicate layer ids`);
  for (const e of graph.edges) {
    const rows = sizes.get(e.to);
    const cols = sizes.get(e.from);
    if (rows === undefined || cols === undefined) {
      throw new Error(`${graph.title}: edge set ${e.from} → ${e.to} names a missing layer`);
    }
    if (e.weights.rows !== rows || e.weights.cols !== cols) {
      throw new Error(
        `${graph.title}: edge set ${e.from} → ${e.to} is ${e.weights.rows}×${e.weights.cols}, expected ${rows}×${cols}`,
      );
    }
  }
}
