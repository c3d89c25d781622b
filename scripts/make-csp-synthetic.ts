// Write a synthetic circuit_sparsity checkpoint in the release's key layout (model.safetensors +
// beeg_config.json), at the shape of a released model and a given weight density, for timing the CLI on
// realistic sizes: `npx tsx scripts/make-csp-synthetic.ts --out /tmp/csp --density 0.125` (csp_sweep1_1x's
// shape: 8 layers, d 256, 16 heads × 16, MLP 1024, vocab 2048, ctx 1024, AbsTopK 1/8, bigram table).
// Weights are seeded random values with a random (1 − density) of them set to zero.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from '../src/cli/args';
import { type WritableTensor, writeSafetensors } from '../src/formats/safetensors';
import { Rng } from '../src/math/rng';

const args = parseArgs(process.argv.slice(2));
const out = String(args.flags.get('out') ?? '/tmp/csp-synthetic');
const density = Number(args.flags.get('density') ?? 0.125);
const [L, D, H, dh, M, V, ctx] = [8, 256, 16, 16, 1024, 2048, 1024];
const A = H * dh;
const rng = new Rng(1);
const tensors: Record<string, WritableTensor> = {};
const put = (name: string, shape: number[], scale: number, keep = 1) => {
  const data = rng.normalArray(
    shape.reduce((a, b) => a * b, 1),
    scale,
  );
  if (keep < 1) for (let i = 0; i < data.length; i++) if (rng.next() >= keep) data[i] = 0;
  tensors[name] = { dtype: 'F32', shape, data };
};
put('transformer.wte.weight', [V, D], 1, density);
put('transformer.wpe.weight', [ctx, D], 0.1);
for (let i = 0; i < L; i++) {
  const p = `transformer.h.${i}`;
  put(`${p}.ln_1.weight`, [D], 0.1);
  put(`${p}.attn.c_attn.weight`, [3 * A, D], 1 / Math.sqrt(density * D), density);
  put(`${p}.attn.c_attn.bias`, [3 * A], 0.1);
  put(`${p}.attn.c_proj.weight`, [D, A], 1 / Math.sqrt(density * A), density);
  put(`${p}.attn.c_proj.bias`, [D], 0.1);
  put(`${p}.ln_2.weight`, [D], 0.1);
  put(`${p}.mlp.c_fc.weight`, [M, D], 1 / Math.sqrt(density * D), density);
  put(`${p}.mlp.c_fc.bias`, [M], 0.1);
  put(`${p}.mlp.c_proj.weight`, [D, M], 1 / Math.sqrt(density * M), density);
  put(`${p}.mlp.c_proj.bias`, [D], 0.1);
}
put('transformer.ln_f.weight', [D], 0.1);
put('lm_head.weight', [V, D], 1 / Math.sqrt(density * D), density);
put('final_logits_bias', [V], 0.1);
put('bigram_table', [V, V], 0.1);
for (const [k, t] of Object.entries(tensors))
  if (k.endsWith('ln_1.weight') || k.endsWith('ln_2.weight') || k.endsWith('ln_f.weight'))
    (t.data as Float32Array).forEach((v, j, a) => {
      a[j] = 1 + v;
    });
const config = {
  block_size: ctx,
  vocab_size: V,
  n_layer: L,
  n_head: H,
  d_head: dh,
  d_model: D,
  d_mlp: M,
  bias: true,
  rms_norm: true,
  activation_type: 'gelu',
  residual_activation_type: 'identity',
  afrac: 0.125,
  afrac_loctypes: 'attn_in,attn_out,mlp_in,mlp_out,mlp_neuron,attn_v',
  tied_unembed: false,
  enable_bigram_table: true,
  learnable_bigram_table: true,
  pfrac: density,
  sparse_matmul_impl: 'cuda',
};
mkdirSync(out, { recursive: true });
writeFileSync(
  join(out, 'model.safetensors'),
  writeSafetensors(tensors, { note: `synthetic, density ${density}` }),
);
writeFileSync(join(out, 'beeg_config.json'), JSON.stringify(config));
console.log(`wrote ${out}/model.safetensors and beeg_config.json (density ${density})`);
