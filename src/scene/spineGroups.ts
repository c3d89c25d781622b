// Which blocks the spine between the networks draws as one collapsed row ("blocks 3–5"). The spine starts
// with one row per block; when the overlay thinning has to hide timed rows (a 12- or 30-layer model), the
// run length doubles until every row fits, so every block's time is on screen alone or inside a group.
// A click on a group row expands it (its blocks then get their own rows, thinned as before).

import { blockRuns } from './timingModel';

export class SpineGroups {
  /** Blocks per collapsed row (1: none collapsed). */
  size = 1;
  /** How many numbered blocks the spine drew last (set by buildAnnotations). */
  blocks = 0;
  /** Runs the user expanded, by their first block. */
  readonly expanded = new Set<number>();
  /** The model whose blocks these are: a new one starts again from one row per block. */
  private key = '';

  /** Called with the graph's identity before each build; resets on a new model. */
  forModel(key: string): void {
    if (key === this.key) return;
    this.key = key;
    this.size = 1;
    this.expanded.clear();
  }

  /** The thinning hid timed rows: collapse more (true when that changes anything). */
  grow(): boolean {
    if (this.expanded.size > 0 || this.size >= this.blocks) return false;
    this.size = Math.min(this.blocks, this.size * 2);
    return true;
  }

  toggle(first: number): void {
    if (!this.expanded.delete(first)) this.expanded.add(first);
  }

  /** The collapsed runs (size > 1 and not expanded) of these block numbers. */
  collapsed(layers: readonly number[]): { first: number; last: number }[] {
    if (this.size <= 1) return [];
    return blockRuns(layers, this.size).filter((r) => r.last > r.first && !this.expanded.has(r.first));
  }
}
