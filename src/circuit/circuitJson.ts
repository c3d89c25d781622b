// The sparsescope-circuit/1 file: the kept node indices and every location's ablation values, so anyone can
// re-evaluate a circuit from the file alone (the forward pass with the listed nodes kept and the listed
// means elsewhere, on the first `details.evaluation.examples` held-out examples of the task).

import type { Gpt2Weights } from '../model/weights';
import { HELD_OUT_SEED, TASKS, type TaskName } from '../train/tasks';
import type { Ablation, CircuitFinding } from './discover';
import { countEdges } from './edges';
import { keepFromLocations, keptByLocation, type NodeLayout, nodeLayout } from './locations';

const CIRCUIT_SCHEMA = 'sparsescope-circuit/1';

export interface CircuitJson {
  schema: typeof CIRCUIT_SCHEMA;
  task: TaskName;
  ablation: Ablation;
  targetLoss: number;
  loss: { full: number; circuit: number; ablated: number; control: number };
  accuracy: { full: number; circuit: number };
  nodes: Record<string, number[]>;
  means: Record<string, number[]>;
  nodeCount: number;
  edges: number;
  /** Beyond the schema: what the numbers were measured on and how the circuit was found. */
  details: {
    model: string;
    evaluation: { set: 'held-out'; seed: number; examples: number };
    discovery: CircuitFinding['settings'];
    /** The whole network: every node, every nonzero weight of the four matrices per block. */
    totalNodes: number;
    totalEdges: number;
    edgesByMatrix: Record<string, number>;
    otherAblation: { ablation: Ablation; loss: number; accuracy: number };
    control: { accuracy: number; trainLoss: number };
    ablatedAccuracy: number;
    seconds: number;
  };
}

/** f32 values in 9 significant digits: short, and they read back as the same f32. */
const f32 = (v: number) => Number(Math.fround(v).toPrecision(9));

export function circuitToJson(weights: Gpt2Weights, finding: CircuitFinding, model: string): CircuitJson {
  const layout = nodeLayout(weights.config);
  const edges = countEdges(weights, finding.keep);
  const means: Record<string, number[]> = {};
  for (const loc of layout.locations)
    means[loc.name] = Array.from(finding.means.subarray(loc.offset, loc.offset + loc.size), f32);
  let nodeCount = 0;
  for (const v of finding.keep) nodeCount += v;
  return {
    schema: CIRCUIT_SCHEMA,
    task: finding.task,
    ablation: finding.ablation,
    targetLoss: finding.targetLoss,
    loss: {
      full: finding.full.loss,
      circuit: finding.circuit.loss,
      ablated: finding.ablated.loss,
      control: finding.control.loss,
    },
    accuracy: { full: finding.full.accuracy, circuit: finding.circuit.accuracy },
    nodes: keptByLocation(layout, finding.keep),
    means,
    nodeCount,
    edges: edges.total,
    details: {
      model,
      evaluation: { set: 'held-out', seed: HELD_OUT_SEED, examples: finding.settings.evalExamples },
      discovery: finding.settings,
      totalNodes: layout.total,
      totalEdges: countEdges(weights, new Float32Array(layout.total).fill(1)).total,
      edgesByMatrix: edges.byMatrix,
      otherAblation: {
        ablation: finding.otherAblation.ablation,
        loss: finding.otherAblation.score.loss,
        accuracy: finding.otherAblation.score.accuracy,
      },
      control: { accuracy: finding.control.accuracy, trainLoss: finding.controlTrain.loss },
      ablatedAccuracy: finding.ablated.accuracy,
      seconds: finding.ms / 1000,
    },
  };
}

/** A circuit file read back: checked against the model's shape, as flat keep flags and ablation values. */
export interface LoadedCircuit {
  json: CircuitJson;
  keep: Float32Array;
  means: Float32Array;
  layout: NodeLayout;
}

/** Parses and checks a circuit file for a model of this shape; the message names what is wrong. */
export function readCircuitJson(text: string, config: Gpt2Weights['config']): LoadedCircuit {
  let json: CircuitJson;
  try {
    json = JSON.parse(text) as CircuitJson;
  } catch (err) {
    throw new Error(`circuit file: not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (json?.schema !== CIRCUIT_SCHEMA) throw new Error(`circuit file: schema is not "${CIRCUIT_SCHEMA}"`);
  if (!TASKS.some((t) => t.name === json.task)) throw new Error(`circuit file: unknown task "${json.task}"`);
  if (
    typeof json.nodes !== 'object' ||
    typeof json.means !== 'object' ||
    json.nodes === null ||
    json.means === null
  )
    throw new Error('circuit file: "nodes" and "means" must be objects');
  const layout = nodeLayout(config);
  const keep = keepFromLocations(layout, json.nodes);
  const means = new Float32Array(layout.total);
  for (const loc of layout.locations) {
    const values = json.means[loc.name];
    if (!Array.isArray(values) || values.length !== loc.size || !values.every(Number.isFinite))
      throw new Error(`circuit file: means["${loc.name}"] must be ${loc.size} finite numbers`);
    means.set(values, loc.offset);
  }
  return { json, keep, means, layout };
}
