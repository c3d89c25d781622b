// One spine row standing for a run of collapsed blocks: "blocks 3–5 · 3 blocks collapsed" with, for each path, the
// run's time (Σ of its blocks' anchors, timingModel.groupTime) and its split by op ("attn 12  mlp 30").
// A click expands the run (app.ts); `data-layers` names every graph layer the row stands for.

import { el } from './overlays';
import type { Side } from './sceneView';
import { type BlockGroup, compactMs, formatMs, type TimingSummary } from './timingModel';

/** Width of the longest time's bar on the spine (annotations.ts draws the block rows on the same scale). */
export const BAR_MAX_PX = 62;

function groupCell(side: Side, group: BlockGroup, maxMs: number, resolutionMs: number): HTMLElement {
  const cell = el('div', `timing timing-${side} timing-group`);
  cell.dataset.side = side;
  cell.dataset.ms = String(group.ms);
  const bar = el('div', 'timing-bar');
  // One scale with the block rows (annotations.ts counts the runs in `maxMs`).
  bar.style.width = `${Math.max(2, (BAR_MAX_PX * group.ms) / (maxMs || 1)).toFixed(1)}px`;
  cell.append(el('span', 'timing-ms', formatMs(group.ms, resolutionMs)), bar);
  cell.title = group.ops.map((o) => `${o.op} ${formatMs(o.ms, resolutionMs)}`).join(' + ');
  return cell;
}

/**
 * How the run is named, as its layers are named elsewhere (the timing list): "blocks 3–5" for transformer
 * blocks ('block 3'), "layers 29–30" for a DNN's layers ('layer 29', numbered from 1).
 */
export function runName(firstName: string, lastName: string): { noun: string; range: string } {
  const [noun, first] = firstName.split(' ');
  const last = lastName.split(' ').pop();
  return { noun: `${noun}s`, range: `${first}–${last}` };
}

export function groupRow(
  run: { first: number; last: number },
  name: { noun: string; range: string },
  layerIds: string[],
  groups: Record<Side, BlockGroup>,
  summary: TimingSummary,
): HTMLElement {
  const row = el('div', 'spine timed spine-group');
  row.dataset.first = String(run.first);
  row.dataset.last = String(run.last);
  row.dataset.layers = layerIds.join(' ');
  const count = run.last - run.first + 1;
  const label = el('div', 'spine-group-label');
  label.title = `click: one row per ${name.noun.slice(0, -1)}`;
  label.append(
    el('span', 'layer-group', `${name.noun} ${name.range}`),
    el('span', 'layer-name', `${count} ${name.noun} collapsed ▸`),
  );
  const bars = el('div', 'spine-bars');
  const { maxAnchorMs, resolutionMs } = summary;
  bars.append(
    groupCell('sparse', groups.sparse, maxAnchorMs, resolutionMs),
    el('span', 'spine-op', 'Σ'),
    groupCell('dense', groups.dense, maxAnchorMs, resolutionMs),
  );
  row.append(label, bars);
  const split = (g: BlockGroup) =>
    g.ops.length > 1 ? g.ops.map((o) => `${o.op} ${compactMs(o.ms, resolutionMs)}`).join('  ') : '';
  const splitRow = el('div', 'spine-split');
  splitRow.append(
    el('span', 'split-sparse', split(groups.sparse)),
    el('span', 'split-dense', split(groups.dense)),
  );
  row.append(splitRow);
  return row;
}
