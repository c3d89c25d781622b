// Makes the tiny pair's committed circuits: for each task and each network, the mean-ablation circuit the
// app shows (public/models/tiny-pair/circuits/<side>.<task>.json) and the zero-ablation one (…zero.json),
// each re-read from its file and re-scored before it is kept, and prints the docs/circuits.md table.
//   npx tsx scripts/make-circuits.ts [--only sparse.quote] [--seed 1]
import { readFileSync, writeFileSync } from 'node:fs';
import { type CircuitJson, circuitToJson, readCircuitJson } from '../src/circuit/circuitJson';
import { type Ablation, discoverCircuit } from '../src/circuit/discover';
import { CircuitEvaluator } from '../src/circuit/reevaluate';
import { loadHfGpt2 } from '../src/model/hfGpt2';
import { TASKS } from '../src/train/tasks';

const dir = 'public/models/tiny-pair';
const outDir = `${dir}/circuits`;
const argv = process.argv.slice(2);
const flag = (name: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const only = flag('only');
const seed = Number(flag('seed') ?? 1);
const config = readFileSync(`${dir}/config.json`, 'utf8');

const rows: string[] = [];
for (const side of ['sparse', 'dense'] as const) {
  const weights = loadHfGpt2(new Uint8Array(readFileSync(`${dir}/${side}.safetensors`)), {
    fileName: `${side}.safetensors`,
    configJson: config,
  }).weights;
  for (const { name: task } of TASKS) {
    if (only && only !== `${side}.${task}`) continue;
    const found: Partial<Record<Ablation, CircuitJson>> = {};
    for (const ablation of ['mean', 'zero'] as const) {
      const finding = await discoverCircuit(weights, { task, ablation, seed });
      const json = circuitToJson(weights, finding, `tiny-pair/${side}.safetensors`);
      const text = `${JSON.stringify(json)}\n`;
      // Kept only if the file alone reproduces what it states.
      const again = new CircuitEvaluator(weights, readCircuitJson(text, weights.config)).score();
      if (Math.abs(again.loss - json.loss.circuit) > 1e-6 || again.accuracy !== json.accuracy.circuit)
        throw new Error(
          `${side}.${task} (${ablation}): re-scored ${again.loss} / ${again.accuracy}, stated ${json.loss.circuit}`,
        );
      const file = `${outDir}/${side}.${task}${ablation === 'mean' ? '' : '.zero'}.json`;
      writeFileSync(file, text);
      found[ablation] = json;
      console.error(`${file}: ${json.nodeCount} nodes, ${json.edges} edges, ${finding.ms.toFixed(0)} ms`);
    }
    const m = found.mean!;
    const z = found.zero!;
    const f = (x: number) => x.toFixed(3);
    const p = (x: number) => `${(100 * x).toFixed(1)}%`;
    rows.push(
      `| ${task} | ${side} | ${m.nodeCount} / ${m.details.totalNodes} | ${m.edges.toLocaleString('en-US')} / ${m.details.totalEdges.toLocaleString('en-US')} | ${f(m.loss.full)} | ${f(m.loss.circuit)} (${p(m.accuracy.circuit)}) | ${f(m.loss.control)} | ${f(m.loss.ablated)} | ${f(m.details.otherAblation.loss)} | ${z.nodeCount} / ${z.edges.toLocaleString('en-US')} | ${f(z.loss.circuit)} (${p(z.accuracy.circuit)}) | ${f(z.loss.control)} | ${m.details.seconds.toFixed(1)} |`,
    );
  }
}
console.log(
  '| task | network | nodes (mean) | edges (mean) | loss full | loss circuit (acc.) | loss control | loss all ablated | same circuit zero-ablated | zero-ablation circuit nodes / edges | its loss (acc.) | its control | s (mean run) |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
