// HTML overlays anchored to points in the scene (timing bars, titles, layer names): crisp text at any
// zoom, styled with CSS, re-projected whenever the camera moves. Items of a `thin` group hide when they
// would overlap a neighbour on screen (a 61-layer GPT-2 stack still reads).

import * as THREE from 'three';

type Align = 'left' | 'right' | 'center' | 'above';

export interface OverlayItem {
  element: HTMLElement;
  anchor: THREE.Vector3;
  /** Which side of the element sits on the anchor: 'left' → the element extends to the right;
   * 'above': the element's bottom centre sits on it. */
  align: Align;
  /** Items sharing a group name hide rather than overlap on screen; higher `priority` wins. */
  thin?: string;
  priority?: number;
}

/** Percentages of the element's own size, so the anchor lands on the named side (centred vertically,
 * except 'above'). */
const SHIFT: Record<Align, string> = {
  left: 'translate(0, -50%)',
  right: 'translate(-100%, -50%)',
  center: 'translate(-50%, -50%)',
  above: 'translate(-50%, -100%)',
};

/** Height assumed for an item not measured yet (one line of label text). */
const UNMEASURED_HEIGHT_PX = 14;

export class OverlayLayer {
  readonly root: HTMLDivElement;
  private items: OverlayItem[] = [];
  /**
   * Element heights from a ResizeObserver: they arrive after the browser's own layout, where reading
   * offsetHeight after inserting the items would force one in the middle of a task (50–170 ms measured).
   */
  private readonly heights = new WeakMap<Element, number>();
  private readonly sizes: ResizeObserver;
  private readonly projected = new THREE.Vector3();
  /** Called when measured heights change what the thinning shows (the scene then re-renders). */
  onMeasured: () => void = () => {};
  /**
   * How many items of priority ≥ 2 (timed layers) the thinning hid, of how many: called when it changes,
   * so the page can say that some timings are not shown here (and where they are).
   */
  onThinned: (hidden: number, timed: number) => void = () => {};
  private thinned = '';

  constructor(parent: HTMLElement) {
    this.root = document.createElement('div');
    this.root.className = 'overlay-layer';
    parent.append(this.root);
    this.sizes = new ResizeObserver((entries) => {
      let changed = false;
      for (const entry of entries) {
        const height = entry.borderBoxSize?.[0]?.blockSize ?? entry.contentRect.height;
        changed ||= Math.abs(height - (this.heights.get(entry.target) ?? UNMEASURED_HEIGHT_PX)) > 0.5;
        this.heights.set(entry.target, height);
      }
      if (changed) this.onMeasured();
    });
  }

  /** Replaces every item (old elements are removed from the page). */
  setItems(items: OverlayItem[]): void {
    for (const item of this.items) {
      this.sizes.unobserve(item.element);
      item.element.remove();
    }
    this.items = items;
    for (const item of items) {
      item.element.classList.add('overlay-item', `align-${item.align}`);
      this.root.append(item.element);
      this.sizes.observe(item.element, { box: 'border-box' });
    }
  }

  get count(): number {
    return this.items.length;
  }

  /** Projects every anchor; call after each render that moved the camera or changed the items. */
  update(camera: THREE.Camera, width: number, height: number): void {
    const visible: { index: number; x: number; y: number }[] = [];
    this.items.forEach((item, index) => {
      const p = this.projected.copy(item.anchor).project(camera);
      const onScreen = p.z > -1 && p.z < 1 && Math.abs(p.x) < 1.3 && Math.abs(p.y) < 1.3;
      if (onScreen) visible.push({ index, x: ((p.x + 1) / 2) * width, y: ((1 - p.y) / 2) * height });
      else item.element.style.visibility = 'hidden';
    });
    // Thinning: the highest priority first; an item overlapping one already shown in its group hides.
    visible.sort((a, b) => (this.items[b.index].priority ?? 0) - (this.items[a.index].priority ?? 0));
    const shown = new Map<string, { y: number; half: number }[]>();
    let timed = 0;
    let hidden = 0; // by the thinning; off screen (zoomed in) does not count
    for (const item of this.items) if ((item.priority ?? 0) >= 2) timed++;
    for (const { index, x, y } of visible) {
      const item = this.items[index];
      const half = (this.heights.get(item.element) ?? UNMEASURED_HEIGHT_PX) / 2 + 1;
      let show = true;
      if (item.thin) {
        const taken = shown.get(item.thin) ?? [];
        show = taken.every((t) => Math.abs(t.y - y) >= t.half + half);
        if (show) shown.set(item.thin, [...taken, { y, half }]);
      }
      item.element.style.visibility = show ? 'visible' : 'hidden';
      if (!show && (item.priority ?? 0) >= 2) hidden++;
      if (show) {
        const shift = SHIFT[item.align];
        item.element.style.transform = `translate(${x.toFixed(1)}px, ${y.toFixed(1)}px) ${shift}`;
      }
    }
    const key = `${hidden}/${timed}`;
    if (key !== this.thinned) {
      this.thinned = key;
      this.onThinned(hidden, timed);
    }
  }

  dispose(): void {
    this.setItems([]);
    this.sizes.disconnect();
    this.root.remove();
  }
}

/** `<div class=…>` with text children, the building block of the overlays. */
export function el(tag: string, className: string, text?: string): HTMLElement {
  const e = document.createElement(tag);
  e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}
