// circuit_sparsity forward pass on the CPU against the fixtures' independent numpy reference: logits and
// every hooked activation, both paths (dense with stored zeros, CSR of the nonzeros), and KV-cache decoding.
import { describe, expect, it } from 'vitest';
import { reviveWeights } from '../../src/engine/cpu/protocol';
import { createKvCache } from '../../src/math/attention';
import { forwardCsp } from '../../src/math/cspForward';
import { forwardCpu } from '../../src/math/transformer';
import { circuitSparsityPair } from '../../src/model/circuitSparsity';
import { loadCspFixture, maxAbsDiff } from '../cspFixtures';

// Reference: float64 numpy from the float32 weights; its own float32 run differs by ≤ 2.2e-6.
const LOGIT_TOL = 2e-5;
const HOOK_TOL = 2e-5;

describe.each(['a', 'b'] as const)('fixture_%s on the CPU', (name) => {
  const fx = loadCspFixture(name);
  const pair = circuitSparsityPair(fx.weights);

  it.each(['dense', 'sparse'] as const)('%s path reproduces the logits and every hook', (path) => {
    const hooks = new Map<string, Float32Array>();
    const model = path === 'dense' ? pair.dense : pair.sparse;
    const out = forwardCsp(model, fx.tokens, { path, hooks });
    expect(maxAbsDiff(out.logits, fx.logits)).toBeLessThan(LOGIT_TOL);
    expect(hooks.size).toBe(fx.hooks.size);
    for (const [key, ref] of fx.hooks) {
      const got = hooks.get(key);
      expect(got, key).toBeDefined();
      expect(maxAbsDiff(got as Float32Array, ref), key).toBeLessThan(HOOK_TOL);
    }
    // The activations the engine exposes are hooks too.
    expect(maxAbsDiff(out.activations.residual[1], fx.hooks.get('1.resid_in') as Float32Array)).toBeLessThan(
      HOOK_TOL,
    );
    expect(maxAbsDiff(out.activations.mlp[0], fx.hooks.get('0.mlp.post_act') as Float32Array)).toBeLessThan(
      HOOK_TOL,
    );
  });

  it('survives the structured clone to a CPU worker (the CSR unembedding is revived)', () => {
    const copy = reviveWeights(structuredClone(pair.sparse));
    const out = forwardCpu(copy, fx.tokens, { path: 'sparse' });
    expect(maxAbsDiff(out.logits, fx.logits)).toBeLessThan(LOGIT_TOL);
  });

  it('forwardCpu dispatches on config.arch and KV-cache decoding matches the full pass', () => {
    const full = forwardCpu(pair.sparse, fx.tokens, { path: 'sparse' });
    const cache = createKvCache(pair.sparse.config);
    const V = pair.sparse.config.vocabSize;
    const split = 5;
    const first = forwardCpu(pair.sparse, fx.tokens.slice(0, split), { path: 'sparse', cache });
    expect(maxAbsDiff(first.logits, full.logits.subarray(0, split * V))).toBeLessThan(1e-5);
    for (let t = split; t < fx.tokens.length; t++) {
      const step = forwardCpu(pair.sparse, [fx.tokens[t]], { path: 'sparse', cache });
      expect(maxAbsDiff(step.logits, full.logits.subarray(t * V, (t + 1) * V))).toBeLessThan(1e-5);
    }
  });
});
