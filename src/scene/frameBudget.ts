// Frame pacing for the scene: the intervals between frames while the view keeps changing (the frame-time
// statistics the page exposes), and the edge budget for moving frames, adapted to them.
//
// While the camera moves, each network draws only its `budget` strongest edges; a full-detail frame follows
// once the view is still. The budget follows the measured frame interval: it shrinks while frames miss the
// display's refresh and grows back while they make it, so a fast GPU draws every edge even while orbiting
// and a software rasterizer keeps the orbit fluid with fewer. Pure (no DOM, no three.js): unit-tested.

import { median } from '../bench/stats';

export interface FrameStats {
  /** Median interval between consecutive frames while the view kept changing, ms. */
  median: number;
  count: number;
}

export interface FrameBudgetOptions {
  /** The interval to keep moving frames under, ms (one refresh at 60 Hz). */
  targetMs?: number;
  /** Fewest edges per network while moving: enough for the strongest paths to read. */
  min?: number;
  /** Budget before anything was measured. */
  initial?: number;
  /** Moving-frame intervals per adjustment. */
  window?: number;
}

const DEFAULT_TARGET_MS = 1000 / 60;
const DEFAULT_MIN_BUDGET = 1500;
const DEFAULT_INITIAL_BUDGET = 12_000;
/** Adjustment windows during which growth stays below the budget that last missed. */
const MISS_MEMORY = 20;

export class FrameBudget {
  /** Edges per network for the next moving frame. */
  budget: number;
  /** Largest useful budget (the bigger network's edge count); growth stops there. */
  private ceiling = Number.POSITIVE_INFINITY;
  /** The budget that last missed the refresh; growth stays below it for a while (no 60 Hz seesaw). */
  private missedAt = Number.POSITIVE_INFINITY;
  private windowsSinceMiss = 0;
  private readonly targetMs: number;
  private readonly min: number;
  private readonly window: number;
  private recent: number[] = [];
  private readonly intervals: number[] = [];

  constructor(options: FrameBudgetOptions = {}) {
    this.targetMs = options.targetMs ?? DEFAULT_TARGET_MS;
    this.min = options.min ?? DEFAULT_MIN_BUDGET;
    this.budget = options.initial ?? DEFAULT_INITIAL_BUDGET;
    this.window = options.window ?? 6;
  }

  /**
   * One interval between two frames of continuous change. `moving`: the frame drew the budget (not full
   * detail), so the interval says whether the budget fits.
   */
  record(intervalMs: number, moving: boolean): void {
    this.intervals.push(intervalMs);
    if (this.intervals.length > 600) this.intervals.shift();
    if (!moving) return;
    this.recent.push(intervalMs);
    if (this.recent.length < this.window) return;
    const typical = median(this.recent);
    this.recent = [];
    this.windowsSinceMiss++;
    // Missing a refresh: shrink fast. Inside one: grow slowly, and for a while (MISS_MEMORY windows) not
    // back up to the budget that missed — on a display locked to 60 Hz intervals are 16.7 or 33 ms,
    // never in between, so without that memory the budget would grow, miss, shrink, grow again.
    if (typical > 1.3 * this.targetMs) {
      this.missedAt = this.budget;
      this.windowsSinceMiss = 0;
      this.budget = Math.max(this.min, Math.round(this.budget * 0.6));
    } else if (typical < 1.1 * this.targetMs) {
      const remembered = this.windowsSinceMiss < MISS_MEMORY ? Math.round(0.9 * this.missedAt) : Infinity;
      const cap = Math.max(this.min, Math.min(this.ceiling, remembered));
      this.budget = Math.max(this.budget, Math.min(cap, Math.round(this.budget * 1.25)));
    }
  }

  /** New networks on screen: their bigger edge count caps the budget; old intervals no longer apply. */
  setCeiling(edges: number): void {
    this.ceiling = edges;
    this.budget = Math.min(this.budget, Math.max(this.min, edges));
    this.recent = [];
  }

  stats(): FrameStats {
    const count = this.intervals.length;
    return { median: count ? median(this.intervals) : 0, count };
  }
}
