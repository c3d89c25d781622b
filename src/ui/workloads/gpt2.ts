// GPT-2 workloads: the trained tiny pair (default), synthetic presets pruned to a density, and HF
// checkpoints the user opens. Load → both graphs; run → both paths on the session's backend, real timings,
// activations mapped onto the graph's layers, next-token predictions.

import type { ForwardResult } from '../../contracts';
import type { Session } from '../../engine/session';
import { softmax, topK } from '../../math/sampling';
import { type Gpt2PresetName, presetConfig } from '../../model/config';
import type { LayerActivations } from '../../model/graph';
import { graphFromGpt2 } from '../../model/graphGpt2';
import { loadHfGpt2 } from '../../model/hfGpt2';
import { initGpt2 } from '../../model/init';
import { sparsifyModel } from '../../model/sparsify';
import { storedDensity, type TwinDensity, twinDensity } from '../../model/storedSparsity';
import { charTokenizer, loadGpt2Tokenizer, type Tokenizer } from '../../model/tokenizer';
import type { Gpt2Weights } from '../../model/weights';
import { nextTask } from '../nextTask';
import { type CspFileSet, type LoadedCsp, loadCspFiles } from './circuitSparsityFiles';
import type { Prediction, Workload, WorkloadProgress, WorkloadResult } from './workload';

export type Gpt2Source =
  | { kind: 'trained-pair'; baseUrl: string }
  | { kind: 'preset'; preset: Gpt2PresetName }
  | { kind: 'file'; model: File | Blob; name: string; configJson?: string }
  | { kind: 'circuit-sparsity'; files: CspFileSet };

/** Small vocabularies draw their token and logit layers too. */
const MAX_DRAWN_VOCAB = 256;
/** Prompts longer than this are cut (the app is for looking, not for long contexts). */
const MAX_PROMPT_TOKENS = 48;

async function fetchBytes(url: string, progress: WorkloadProgress, what: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not load ${url}: HTTP ${response.status}`);
  // content-length is the compressed size when the server compresses: then just read it whole.
  const total = response.headers.get('content-encoding')
    ? 0
    : Number(response.headers.get('content-length') ?? 0);
  if (!response.body || !total) return new Uint8Array(await response.arrayBuffer());
  const reader = response.body.getReader();
  const out = new Uint8Array(total);
  let got = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    out.set(value, got);
    got += value.length;
    progress(got / total, `${what} ${(got / 2 ** 20).toFixed(1)} / ${(total / 2 ** 20).toFixed(1)} MiB`);
  }
  return out;
}

async function fetchText(url: string): Promise<string> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not load ${url}: HTTP ${response.status}`);
  return response.text();
}

/** A character tokenizer for synthetic models with no vocabulary: printable ASCII folded into the vocab. */
function foldedCharTokenizer(vocabSize: number): Tokenizer {
  return {
    name: `ascii mod ${vocabSize}`,
    vocabSize,
    encode: (text) => [...text].map((ch) => Math.max(0, ch.charCodeAt(0) - 32) % vocabSize),
    decode: (ids) => ids.map((id) => String.fromCharCode(32 + (id % 95))).join(''),
  };
}

export class Gpt2Workload implements Workload {
  /** 'prompt', or 'token ids' for a circuit_sparsity model opened without its tokenizer files. */
  readonly inputLabel: string;
  readonly usesDensity: boolean;
  dense: Gpt2Weights | null = null;
  sparse: Gpt2Weights | null = null;
  tokenizer: Tokenizer | null = null;
  /** A circuit_sparsity model's circuit from a dropped viz_data.pt (or why it could not be read). */
  given: LoadedCsp['given'];
  private graphs: WorkloadResult['scene'] | null = null;
  /** How the sparse twin of an opened checkpoint was made (its stored zeros, or pruned). */
  twin: TwinDensity | null = null;

  constructor(
    readonly id: string,
    private readonly source: Gpt2Source,
    readonly defaultInput: string,
  ) {
    // Trained sparse models bring their own pattern: no density to choose.
    this.usesDensity = source.kind !== 'trained-pair' && source.kind !== 'circuit-sparsity';
    const idsOnly = source.kind === 'circuit-sparsity' && !(source.files.encoder && source.files.vocabBpe);
    this.inputLabel = idsOnly ? 'token ids' : 'prompt';
  }

  async load(
    session: Session,
    density: number,
    progress: WorkloadProgress,
    densityAsked = true,
  ): Promise<void> {
    const src = this.source;
    if (src.kind === 'trained-pair') {
      const [dense, sparse, config, vocab] = await Promise.all([
        fetchBytes(`${src.baseUrl}/dense.safetensors`, progress, 'dense model'),
        fetchBytes(`${src.baseUrl}/sparse.safetensors`, progress, 'sparse model'),
        fetchText(`${src.baseUrl}/config.json`),
        fetchText(`${src.baseUrl}/vocab.json`).then((t) => JSON.parse(t) as { vocabulary: string }),
      ]);
      // One model per task: the page keeps painting the progress while they are read.
      await nextTask();
      this.dense = loadHfGpt2(dense, { fileName: 'dense.safetensors', configJson: config }).weights;
      await nextTask();
      const trained = loadHfGpt2(sparse, { fileName: 'sparse.safetensors', configJson: config }).weights;
      await nextTask();
      this.sparse = sparsifyModel(trained, { density: 'exact' }); // its zeros are the trained pattern
      this.twin = { density: 'exact', stored: storedDensity(trained) }; // the density control shows it
      this.tokenizer = charTokenizer(vocab.vocabulary, { unknown: ' ', name: 'characters' });
    } else if (src.kind === 'circuit-sparsity') {
      const loaded = await loadCspFiles(src.files, progress);
      for (const note of loaded.notes) console.info(`circuit_sparsity: ${note}`);
      this.dense = loaded.dense;
      this.sparse = loaded.sparse;
      this.tokenizer = loaded.tokenizer;
      this.given = loaded.given;
    } else {
      if (src.kind === 'preset') {
        progress(0.1, `generating ${src.preset} weights`);
        await new Promise((r) => setTimeout(r, 20)); // let the progress paint before a long synchronous build
        this.dense = initGpt2(presetConfig(src.preset), { seed: 1 });
      } else {
        progress(0.1, `reading ${src.name}`);
        const bytes = new Uint8Array(await src.model.arrayBuffer());
        this.dense = loadHfGpt2(bytes, {
          fileName: src.name,
          configJson: src.configJson,
          onProgress: (f, t) => progress(0.1 + 0.4 * f, t),
        }).weights;
      }
      // A checkpoint that stores its zeros keeps them unless a lower density was asked for.
      this.twin =
        src.kind === 'file' ? twinDensity(this.dense, densityAsked ? density : undefined, density) : null;
      const twinDensityValue = this.twin?.density ?? density;
      progress(
        0.5,
        twinDensityValue === 'exact' ? 'taking the stored zeros' : `pruning to density ${density}`,
      );
      // The title says the density asked for beside the one achieved (none for the stored zeros).
      this.requested = twinDensityValue === 'exact' ? undefined : density;
      await new Promise((r) => setTimeout(r, 20));
      this.sparse = sparsifyModel(this.dense, { density: twinDensityValue });
      const vocab = this.dense.config.vocabSize;
      this.tokenizer = vocab === 50257 ? await loadGpt2Tokenizer() : foldedCharTokenizer(vocab);
    }
    progress(0.6, 'building the graphs');
    await nextTask();
    this.graphs = await this.buildGraphs();
    progress(0.7, `preparing the ${session.status.kind === 'webgpu' ? 'GPU' : 'CPU'} backend`);
    await session.load({ dense: this.dense, sparse: this.sparse }, (f, what) =>
      progress(0.7 + 0.3 * f, what),
    );
  }

  /** The density asked for (pruned presets and files), shown beside the density achieved. */
  private requested: number | undefined;

  private async buildGraphs(): Promise<WorkloadResult['scene']> {
    const dense = this.dense!;
    const sparse = this.sparse!;
    const { vocabSize, nHead } = dense.config;
    const drawVocab = vocabSize <= MAX_DRAWN_VOCAB;
    const trained = this.source.kind === 'trained-pair';
    const csp = this.source.kind === 'circuit-sparsity';
    const sparseGraph = graphFromGpt2(sparse, {
      sparse: true,
      nHead,
      title: csp ? 'Sparse, trained (CSR)' : trained ? 'Sparse, trained' : 'Sparse',
      embedding: drawVocab ? { wte: sparse.wte, vocab: vocabSize, unembed: sparse.head?.w } : undefined,
      unembedding: { wte: sparse.wte, vocab: vocabSize, csr: sparse.wteCsr, unembed: sparse.head?.w },
    });
    sparseGraph.requestedDensity = this.requested;
    await nextTask();
    return {
      sparseGraph,
      denseGraph: graphFromGpt2(dense, {
        sparse: false,
        nHead,
        // A circuit_sparsity model has one set of weights: the dense path multiplies its stored zeros.
        title: csp ? 'Same weights, dense' : trained ? 'Dense, trained' : 'Dense baseline',
        embedding: drawVocab ? { wte: dense.wte, vocab: vocabSize, unembed: dense.head?.w } : undefined,
        unembedding: { wte: dense.wte, vocab: vocabSize, unembed: dense.head?.w },
      }),
      timings: [],
    };
  }

  encode(text: string): number[] {
    if (!this.tokenizer || !this.dense) throw new Error('load a model first');
    const ids = this.tokenizer.encode(text).slice(-Math.min(MAX_PROMPT_TOKENS, this.dense.config.nCtx));
    if (ids.length === 0) throw new Error('the prompt is empty');
    return ids;
  }

  async run(session: Session, input: string): Promise<WorkloadResult> {
    if (!this.graphs || !this.dense || !this.tokenizer) throw new Error('load a model first');
    const ids = this.encode(input);
    const labels = ids.map((id) => this.tokenizer!.decode([id]));
    const { dense, sparse, measure } = await session.runPair(ids);
    const vocab = this.dense.config.vocabSize;
    return {
      scene: {
        ...this.graphs,
        activations: {
          dense: this.activations(dense, ids, labels),
          sparse: this.activations(sparse, ids, labels),
        },
        timings: [...dense.timings, ...sparse.timings],
        measure,
      },
      predictions: [
        { path: 'dense', top: this.top(dense, ids.length, vocab) },
        { path: 'sparse', top: this.top(sparse, ids.length, vocab) },
      ],
      summary: `${ids.length} tokens · ${this.tokenizer.name} tokenizer`,
      predictionNote:
        this.source.kind === 'preset'
          ? 'seeded random weights: these guesses mean nothing (the model shape and timings are real)'
          : undefined,
    };
  }

  /** Next-token guesses after the last prompt position. */
  private top(result: ForwardResult, t: number, vocab: number): Prediction['top'] {
    const last = result.logits.subarray((t - 1) * vocab, t * vocab);
    return topK(last, 5).map(({ id, p }) => ({ token: this.tokenizer!.decode([id]), p }));
  }

  /** Engine activations → the graph's layers: embed, every block's MLP and residual out; tokens, logits. */
  private activations(result: ForwardResult, ids: number[], labels: string[]): LayerActivations {
    const byLayer: Record<string, Float32Array> = {};
    const { residual, mlp } = result.activations;
    if (residual[0]) byLayer.embed = residual[0];
    mlp.forEach((a, b) => {
      byLayer[`b${b}.mlp`] = a;
    });
    residual.slice(1).forEach((a, b) => {
      byLayer[`b${b}.resid`] = a;
    });
    const vocab = this.dense!.config.vocabSize;
    if (vocab <= MAX_DRAWN_VOCAB) {
      const oneHot = new Float32Array(ids.length * vocab);
      ids.forEach((id, t) => {
        oneHot[t * vocab + id] = 1;
      });
      byLayer.tokens = oneHot;
    }
    // The logits layer is drawn for every vocabulary (its most probable tokens, when it is large).
    if (result.logits.length === ids.length * vocab) {
      const probs = new Float32Array(ids.length * vocab);
      for (let t = 0; t < ids.length; t++)
        probs.set(softmax(result.logits.subarray(t * vocab, (t + 1) * vocab)), t * vocab);
      byLayer.logits = probs;
    }
    return { tokens: labels, byLayer };
  }

  benchLayers() {
    if (!this.dense || !this.sparse) return null;
    const b = this.dense.blocks[0];
    const shapes = [b.qkv, b.attnProj, b.fc, b.fcProj].map((l, i) => ({
      n: l.n,
      k: l.k,
      label: ['qkv', 'attn.proj', 'fc', 'fc.proj'][i],
    }));
    const blk = this.sparse.blocks[0];
    const densities = [
      ...new Set([blk.qkv, blk.attnProj, blk.fc, blk.fcProj].map((l) => (l.csr ? l.csr.density : 1))),
    ];
    return { name: this.id, shapes, densities };
  }

  dispose(): void {
    this.dense = null;
    this.sparse = null;
    this.graphs = null;
  }
}
