// Before anything is uploaded, a circuit_sparsity model's largest buffer (bigram table, lm_head, an MLP or
// qkv matrix over n_head·d_head) is checked against the device's binding limit, with a message naming it.
import { describe, expect, it } from 'vitest';
import { checkModelFits, largestBufferBytes } from '../../src/engine/webgpu/modelBuffers';
import type { GpuContext } from '../../src/gpu/context';
import { parseBeegConfig } from '../../src/model/beegConfig';
import type { Gpt2Weights } from '../../src/model/weights';

/** Only the shapes matter to the check: a config and whether a bigram table exists. */
function shapeOnly(json: Record<string, unknown>): Gpt2Weights {
  const { config } = parseBeegConfig(json);
  const none = new Float32Array(0);
  return {
    config,
    wte: none,
    wpe: none,
    blocks: [],
    lnf: { g: none, b: none },
    head: { w: none, bias: none, bigram: config.arch?.bigram ? none : null },
  };
}

const limits = (bytes: number) =>
  ({ limits: { maxStorageBufferBindingSize: bytes, maxBufferSize: bytes } }) as GpuContext;

describe('circuit_sparsity models against device limits', () => {
  it('csp_bridges2 shape: the MLP matrix is the largest buffer and fits the 128 MiB default', () => {
    const w = shapeOnly({
      n_layer: 4,
      d_model: 2048,
      n_head: 128,
      d_head: 16,
      d_mlp: 8192,
      vocab_size: 2048,
      enable_bigram_table: true,
    });
    expect(largestBufferBytes(w)).toEqual({ bytes: 4 * 8192 * 2048, name: 'an MLP weight matrix' });
    expect(() => checkModelFits(limits(128 * 2 ** 20), w)).not.toThrow();
  });

  it('a 50304-token bigram table is named when it does not fit', () => {
    const w = shapeOnly({ d_model: 768, n_head: 12, vocab_size: 50304, enable_bigram_table: true });
    expect(largestBufferBytes(w).name).toBe('the bigram table');
    expect(() => checkModelFits(limits(2 ** 30), w)).toThrow(
      /9653\.\d MiB buffer for the bigram table.*at most 1024\.0 MiB/,
    );
  });
});
