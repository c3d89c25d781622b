// Markdown table from a `sparsescope bench-model --json` file: whole forward and blocks only (the
// embedding/unembedding excluded), each sparse row's speedup over dense from the same run.
import { readFileSync } from 'node:fs';

const file = process.argv[2];
const { model, embeddings, records } = JSON.parse(readFileSync(file, 'utf8'));
const blocks = (r) => r.layers.reduce((s, l) => s + l.attnMs + l.mlpMs, 0);
const dense = (r) => records.find((d) => d.path === 'dense' && d.mode === r.mode && d.tokens === r.tokens);
console.log(
  `${model}; embeddings ${embeddings ? 'pruned on the sparse path' : 'dense on both paths'}; backend ${records[0].backend}; timer ${records[0].timer}\n`,
);
console.log(
  '| path | density | mode | tokens | forward ms (median) | speedup | blocks ms | blocks speedup |',
);
console.log('|---|---|---|---|---|---|---|---|');
for (const r of records) {
  const d = dense(r);
  const sp = r.path === 'sparse' ? `${(d.medianMs / r.medianMs).toFixed(2)}×` : '—';
  const bsp = r.path === 'sparse' ? `${(blocks(d) / blocks(r)).toFixed(2)}×` : '—';
  const density = r.path === 'dense' ? '—' : `1/${Math.round(1 / r.density)}`;
  console.log(
    `| ${r.path} | ${density} | ${r.mode} | ${r.tokens} | ${r.medianMs.toPrecision(4)} | ${sp} | ${blocks(r).toPrecision(4)} | ${bsp} |`,
  );
}
