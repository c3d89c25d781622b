// A small GPT-2 pair for the scene's unit tests, built with the real model code (init, sparsify, graph).
import type { Gpt2Config } from '../../src/model/config';
import type { NetworkGraph } from '../../src/model/graph';
import { graphFromGpt2 } from '../../src/model/graphGpt2';
import { initGpt2 } from '../../src/model/init';
import { sparsifyModel } from '../../src/model/sparsify';
import type { Gpt2Weights } from '../../src/model/weights';

/** 2 blocks, d 16, MLP 64, 2 heads, vocab 24. */
export const MICRO: Gpt2Config = {
  nLayer: 2,
  nHead: 2,
  dModel: 16,
  dMlp: 64,
  nCtx: 16,
  vocabSize: 24,
  layerNormEps: 1e-5,
};

export function microGraphPair(
  density: number,
  seed = 1,
  withVocab = false,
): { sparse: NetworkGraph; dense: NetworkGraph; model: Gpt2Weights; sparseModel: Gpt2Weights } {
  const model = initGpt2(MICRO, { seed, std: 0.2 });
  const sparseModel = sparsifyModel(model, { density });
  const embedding = (w: Gpt2Weights) => (withVocab ? { wte: w.wte, vocab: MICRO.vocabSize } : undefined);
  return {
    model,
    sparseModel,
    sparse: graphFromGpt2(sparseModel, {
      sparse: true,
      nHead: MICRO.nHead,
      embedding: embedding(sparseModel),
    }),
    dense: graphFromGpt2(model, { sparse: false, nHead: MICRO.nHead, embedding: embedding(model) }),
  };
}
