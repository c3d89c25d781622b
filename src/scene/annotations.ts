// The overlay items: a title over each network, and down the middle a spine with every layer's name
// and, for each timed layer, a butterfly of two bars on one scale: the sparse path's time growing towards
// the sparse network (left), the dense path's towards the dense one (right), with the op split below.

import * as THREE from 'three';
import { fractionLabel, weightCounts } from '../model/graph';
import { formatCount } from '../params/limits';
import type { NetworkView } from './networkView';
import { el, type OverlayItem } from './overlays';
import type { Side } from './sceneView';
import { BAR_MAX_PX, groupRow, runName } from './spineGroupRow';
import type { SpineGroups } from './spineGroups';
import {
  type AnchorTime,
  anchorTime,
  compactMs,
  formatMs,
  groupTime,
  type OpTime,
  shortOp,
  type TimingSummary,
} from './timingModel';
import { timingTitle } from './timingText';

/** "(1/64 of weights)", the density achieved. */
function weightFraction(view: NetworkView): string {
  const { nnz, dense } = weightCounts(view.graph);
  return `(${fractionLabel(dense ? nnz / dense : 0)} of weights)`;
}

/**
 * Why the achieved density differs from the one asked for, or ''. Sparsify keeps at least 4 weights per
 * neuron (the paper's rule), so a small layer cannot go below 4/fan-in: 1/64 and 1/256 of a 64-wide
 * layer both keep 4/64 = 1/16 per row.
 */
function densityNote(graph: NetworkView['graph']): string {
  const asked = graph.requestedDensity;
  if (asked === undefined) return '';
  const { nnz, dense } = weightCounts(graph);
  const achieved = dense ? nnz / dense : 0;
  if (fractionLabel(achieved) === fractionLabel(asked)) return '';
  return achieved > asked
    ? `asked ${fractionLabel(asked)}: each neuron keeps at least 4 weights`
    : `asked ${fractionLabel(asked)}`;
}

function titleItem(view: NetworkView, side: Side, total: number | null): OverlayItem {
  const { layout } = view;
  const box = el('div', 'net-title');
  box.dataset.side = side;
  const name = el('div', 'net-name', view.graph.title);
  if (side === 'sparse') {
    // "(1/64 of weights)" on a line of its own: the title stays about as wide as the network.
    name.append(' ', el('span', 'net-fraction', weightFraction(view)));
    const note = densityNote(view.graph);
    if (note) name.append(el('span', 'net-density-note', note));
  }
  box.append(name);
  const counts = el('div', 'net-counts');
  counts.dataset.edges = String(view.edgeCount);
  counts.dataset.nodes = String(view.nodeCount);
  const n = formatCount;
  counts.textContent = `${n(view.edgeCount)} edges · ${n(view.nodeCount)} neurons on screen`;
  box.append(counts);
  if (total !== null) box.append(el('div', 'net-total', `forward ${formatMs(total)}`));
  // The whole stack (name, counts, total) sits above the top layer, whatever its height.
  const anchor = new THREE.Vector3(layout.offsetX, layout.bounds.max[1] + 0.35, 0);
  return { element: box, anchor, align: 'above' };
}

function timingCell(
  side: Side,
  layerId: string,
  time: AnchorTime | null,
  maxMs: number,
  resolutionMs: number,
): HTMLElement {
  const cell = el('div', `timing timing-${side}`);
  cell.dataset.side = side;
  cell.dataset.layer = layerId;
  const bar = el('div', 'timing-bar');
  const text = el('span', 'timing-ms', time ? formatMs(time.ms, resolutionMs) : '—');
  if (time) {
    cell.dataset.ms = String(time.ms);
    cell.title = timingTitle(time.measured ?? time); // the spread on hover
    if (time.measured?.p10 !== undefined) {
      cell.dataset.p10 = String(time.measured.p10);
      cell.dataset.p90 = String(time.measured.p90);
      cell.dataset.samples = String(time.measured.samples);
    }
    bar.style.width = `${Math.max(2, (BAR_MAX_PX * time.ms) / (maxMs || 1)).toFixed(1)}px`;
  } else {
    cell.classList.add('untimed');
  }
  cell.append(text, bar); // the sparse cell is laid out right to left (CSS), so bars meet in the middle
  return cell;
}

/**
 * The block's parts on one short line, adding up to its time (timingModel.ts): the matmuls, the largest
 * other part, and the rest as "+x" (its parts are in the row's tooltip): "qkv .22  core 16  proj .17  +2.9".
 */
export function splitText(time: AnchorTime | null, resolutionMs: number): string {
  if (!time || time.split.length < 2) return '';
  const others = time.split.filter((p) => !SPINE_OPS.has(p.op) && p.op !== 'other');
  const largest = others.reduce<OpTime | null>((a, p) => (a && a.ms >= p.ms ? a : p), null);
  const shown = time.split.filter((p) => SPINE_OPS.has(p.op) || p === largest);
  const rest = time.split.filter((p) => !shown.includes(p)).reduce((s, p) => s + p.ms, 0);
  const parts = shown.map((p) => `${shortOp(p.op)} ${compactMs(p.ms, resolutionMs)}`);
  if (rest > 0) parts.push(`+${compactMs(rest, resolutionMs)}`);
  return parts.join('  ');
}

/** Every part, for the tooltip: "ln1 2.80 ms + qkv 0.22 ms + …". */
function splitTitle(time: AnchorTime | null, resolutionMs: number): string {
  if (!time) return '';
  return time.split.map((p) => `${p.op} ${formatMs(p.ms, resolutionMs)}`).join(' + ');
}

/** Parts always named on the spine: the weight matmuls (where sparse and dense differ). */
const SPINE_OPS = new Set(['qkv', 'attn.proj', 'fc', 'fc.proj', 'unembed']);

function spineItems(
  sparse: NetworkView,
  dense: NetworkView,
  summary: TimingSummary | null,
  showTimings: boolean,
  groups?: SpineGroups,
): OverlayItem[] {
  const midX = (sparse.layout.offsetX + dense.layout.offsetX) / 2;
  const placements = sparse.layout.layers.map((placement) => ({
    placement,
    layer: sparse.graph.layers[placement.layerIndex],
  }));
  // Numbered blocks (a transformer block, a DNN layer): the timed layers' `layer`, and the untimed layers
  // of the same block by their id ('b3.qkv').
  const blockOf = (layer: (typeof placements)[number]['layer']): number | undefined => {
    if (layer.timing?.layer !== undefined) return layer.timing.layer;
    const m = /^b(\d+)\./.exec(layer.id);
    return m ? Number(m[1]) : undefined;
  };
  const blocks = [
    ...new Set(placements.map((p) => p.layer.timing?.layer).filter((b): b is number => b !== undefined)),
  ];
  if (groups) groups.blocks = blocks.length;
  const runs = summary && showTimings && groups ? groups.collapsed(blocks) : [];
  const runOf = (b: number | undefined) =>
    b === undefined ? undefined : runs.find((r) => b >= r.first && b <= r.last);
  const runTimes = runs.map((run) => {
    const members = placements.filter((p) => runOf(blockOf(p.layer)) === run);
    const ops = [...new Set(members.map((p) => p.layer.timing?.op).filter((o): o is string => !!o))];
    const time = (side: Side) => groupTime(summary![side], run.first, run.last, ops);
    return { run, members, times: { sparse: time('sparse'), dense: time('dense') } };
  });
  // One bar scale for every row on the spine, collapsed runs included (a run is longer than any block).
  const scaled = summary && {
    ...summary,
    maxAnchorMs: Math.max(
      summary.maxAnchorMs,
      ...runTimes.flatMap((r) => [r.times.sparse.ms, r.times.dense.ms]),
    ),
  };
  const items: OverlayItem[] = [];
  for (const { run, members, times } of runTimes) {
    const y = members.reduce((s, p) => s + p.placement.y, 0) / (members.length || 1);
    // Named as the timing list names them: a block by its group ('block 3'), a DNN layer by its name.
    const timed = members.filter((p) => p.layer.timing);
    const nameOf = (l: (typeof members)[number]['layer']) => (/^block \d+$/.test(l.group) ? l.group : l.name);
    const element = groupRow(
      run,
      runName(nameOf(timed[0].layer), nameOf(timed[timed.length - 1].layer)),
      members.map((p) => p.layer.id),
      times,
      scaled!,
    );
    items.push({
      element,
      anchor: new THREE.Vector3(midX, y, 0),
      align: 'center',
      thin: 'spine',
      priority: 2,
    });
  }
  for (const { placement, layer } of placements) {
    if (runOf(blockOf(layer))) continue;
    items.push(spineRow(placement, layer, midX, scaled, showTimings));
  }
  return items;
}

function spineRow(
  placement: NetworkView['layout']['layers'][number],
  layer: NetworkView['graph']['layers'][number],
  midX: number,
  summary: TimingSummary | null,
  showTimings: boolean,
): OverlayItem {
  const row = el('div', 'spine');
  row.dataset.layer = layer.id;
  const label = el('div', 'spine-label');
  const shown = placement.indices.length;
  label.title = shown < layer.size ? 'click: show more neurons of this layer' : 'click: back to the subset';
  label.append(el('span', 'layer-group', layer.group), el('span', 'layer-name', layer.name));
  label.append(el('span', 'layer-count', shown === layer.size ? `${layer.size}` : `${shown}/${layer.size}`));
  row.append(label);
  const timed = Boolean(summary && showTimings && layer.timing);
  if (summary && timed && layer.timing) {
    const s = anchorTime(summary.sparse, layer.timing);
    const d = anchorTime(summary.dense, layer.timing);
    row.classList.add('timed');
    row.dataset.op = layer.timing.op;
    const bars = el('div', 'spine-bars');
    bars.append(
      timingCell('sparse', layer.id, s, summary.maxAnchorMs, summary.resolutionMs),
      el('span', 'spine-op', layer.timing.op),
      timingCell('dense', layer.id, d, summary.maxAnchorMs, summary.resolutionMs),
    );
    row.append(bars);
    const split = [splitText(s, summary.resolutionMs), splitText(d, summary.resolutionMs)];
    if (split[0] || split[1]) {
      const splitRow = el('div', 'spine-split');
      splitRow.append(el('span', 'split-sparse', split[0]), el('span', 'split-dense', split[1]));
      splitRow.title = `sparse: ${splitTitle(s, summary.resolutionMs)}\ndense: ${splitTitle(d, summary.resolutionMs)}`;
      row.append(splitRow);
    }
  }
  return {
    element: row,
    anchor: new THREE.Vector3(midX, placement.y, 0),
    align: 'center',
    thin: 'spine',
    // The unembedding is often the largest single time: its row never gives way to a neighbour's.
    priority: timed ? (layer.timing?.op === 'unembed' ? 3 : 2) : layer.kind === 'resid' ? 0 : 1,
  };
}

export function buildAnnotations(
  sparse: NetworkView,
  dense: NetworkView,
  summary: TimingSummary | null,
  show: { timings: boolean; layerLabels: boolean; groups?: SpineGroups },
): OverlayItem[] {
  const items = [
    titleItem(sparse, 'sparse', summary?.sparse.totalMs || null),
    titleItem(dense, 'dense', summary?.dense.totalMs || null),
  ];
  const spine = spineItems(sparse, dense, summary, show.timings, show.groups);
  // Without layer labels the spine keeps only the timed rows (their names stay: they say what was timed).
  items.push(...(show.layerLabels ? spine : spine.filter((i) => i.element.classList.contains('timed'))));
  return items;
}
