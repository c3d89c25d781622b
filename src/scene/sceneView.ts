// The 3D view: renderer, camera, orbit controls, the two NetworkViews, picking, overlays. Renders on
// demand (a camera change, a new model, a hover), never in an idle loop.

import * as THREE from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import { BACKGROUND } from './colors';
import { FrameBudget, type FrameStats } from './frameBudget';
import { fitCamera } from './framing';
import { compileViews, type NetworkView } from './networkView';
import { OverlayLayer } from './overlays';
import { nearestAcross, projectViews } from './picking';
import { probeWebGl } from './webglProbe';

export type Side = 'sparse' | 'dense';
export type FrameTarget = Side | 'both';

export interface PickHit {
  side: Side;
  node: number;
}

const PICK_RADIUS_PX = 10;
/** Screen height kept above the networks for their titles, and below for the headline. */
const TITLE_ROOM_PX = 120;
const HEADLINE_ROOM_PX = 80;
/** A full-detail frame follows this long after the last interactive change. */
const SETTLE_MS = 220;

// Colours are display values end to end (no sRGB conversion): additive edge light then adds up the way
// the numbers in edges.ts say, which is what the brightness model there assumes.
THREE.ColorManagement.enabled = false;

export class SceneView {
  readonly renderer: THREE.WebGLRenderer;
  readonly scene = new THREE.Scene();
  readonly camera = new THREE.PerspectiveCamera(36, 1, 0.05, 2000);
  readonly controls: OrbitControls;
  readonly overlays: OverlayLayer;
  views: Partial<Record<Side, NetworkView>> = {};
  onHover: (hit: PickHit | null) => void = () => {};
  onClick: (hit: PickHit | null) => void = () => {};
  /** Called after every render (e.g. to refresh counters). */
  onRender: () => void = () => {};

  /** Screen width on the right kept free of the networks when framing (the control panel). */
  reserveRightPx = 0;
  reserveLeftPx = 0;
  /** Edges per network while moving, adapted to the frame rate (frameBudget.ts). */
  readonly frameBudget = new FrameBudget();
  /** false: every frame draws every edge, moving or not. */
  reduceWhileMoving = true;
  private pending = 0;
  private interactiveUntil = 0;
  /** The camera moved since the last frame (a drag, damping, the benchmark), not just a hover. */
  private motionRequested = false;
  private lastFrameMotion = false;
  private settleTimer = 0;
  private reducedLastFrame = false;
  private screenDirty = true;
  private lastFrameAt = 0;
  private requestedAt = 0;
  private lastFrameEnd = 0;
  private width = 1;
  private height = 1;
  private readonly resizeObserver: ResizeObserver;
  private downAt: { x: number; y: number } | null = null;

  /** The WebGL renderer and whether multisampling is on (off on CPU rasterizers: it cost 4× there). */
  readonly webgl: { renderer: string; software: boolean; antialias: boolean };

  constructor(
    readonly container: HTMLElement,
    options: { antialias?: boolean } = {},
  ) {
    const probe = probeWebGl();
    const antialias = options.antialias ?? !probe.software;
    this.webgl = { ...probe, antialias };
    this.renderer = new THREE.WebGLRenderer({ antialias, powerPreference: 'high-performance' });
    this.renderer.setPixelRatio(Math.min(window.devicePixelRatio || 1, 2));
    this.renderer.setClearColor(BACKGROUND, 1);
    this.renderer.outputColorSpace = THREE.LinearSRGBColorSpace;
    this.renderer.domElement.className = 'scene-canvas';
    container.append(this.renderer.domElement);
    this.overlays = new OverlayLayer(container);
    this.overlays.onMeasured = () => this.requestRender();

    this.controls = new OrbitControls(this.camera, this.renderer.domElement);
    this.controls.enableDamping = true;
    this.controls.dampingFactor = 0.12;
    this.controls.screenSpacePanning = true;
    this.controls.zoomToCursor = true;
    this.controls.addEventListener('change', () => {
      this.motionRequested = true;
      this.requestRender(true);
    });

    const canvas = this.renderer.domElement;
    canvas.addEventListener('pointermove', (e) => this.handleMove(e));
    canvas.addEventListener('pointerdown', (e) => {
      this.downAt = { x: e.clientX, y: e.clientY };
    });
    canvas.addEventListener('pointerup', (e) => this.handleUp(e));
    canvas.addEventListener('pointerleave', () => this.onHover(null));

    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(container);
    this.resize();
  }

  /** Compiles the views' shader programs before they go on screen (networkView.ts compileViews). */
  prepare(...views: NetworkView[]): Promise<void> {
    return compileViews(this.renderer, this.camera, views);
  }

  /** Replaces both networks; the old ones' GPU resources are freed. */
  setViews(sparse: NetworkView, dense: NetworkView): void {
    for (const view of Object.values(this.views)) view?.dispose();
    this.views = { sparse, dense };
    this.frameBudget.setCeiling(Math.max(sparse.edgeCount, dense.edgeCount));
    this.updatePointScale();
    this.scene.add(sparse.group, dense.group);
    this.screenDirty = true;
    this.requestRender();
  }

  /**
   * Interactive requests (camera motion, hover) draw the edge budget, then one full frame follows once
   * things are still for SETTLE_MS.
   */
  requestRender(interactive = false): void {
    if (interactive) {
      this.interactiveUntil = performance.now() + SETTLE_MS;
      clearTimeout(this.settleTimer);
      this.settleTimer = window.setTimeout(() => this.requestRender(), SETTLE_MS + 20);
    }
    if (this.pending) return;
    this.requestedAt = performance.now();
    this.pending = requestAnimationFrame(() => this.frame());
  }

  /**
   * Draws one frame. `interactive`: count it as part of a continuous change even without a request (the
   * orbit benchmark moves the camera itself).
   */
  frame(interactive = false): void {
    if (this.pending) cancelAnimationFrame(this.pending);
    this.pending = 0;
    const now = performance.now();
    if (interactive) this.interactiveUntil = now + SETTLE_MS;
    const moving = this.controls.update(); // damping keeps the camera gliding after release
    const reduced = this.reduceWhileMoving && (moving || now < this.interactiveUntil);
    const motion = moving || interactive || this.motionRequested;
    this.motionRequested = false;
    // Two camera-motion frames in a row measure the frame time (a hover's frames follow the mouse, and a
    // frame after a pause would measure the pause); it feeds the edge budget when both drew the budget.
    if (
      this.lastFrameAt &&
      motion &&
      this.lastFrameMotion &&
      (interactive || this.requestedAt - this.lastFrameEnd < 50)
    )
      this.frameBudget.record(now - this.lastFrameAt, reduced && this.reducedLastFrame);
    this.lastFrameMotion = motion;
    this.lastFrameAt = now;
    if (reduced || this.reducedLastFrame) {
      const budget = reduced ? this.frameBudget.budget : null;
      for (const view of Object.values(this.views)) view?.setEdgeBudget(budget);
    }
    this.reducedLastFrame = reduced;
    this.renderer.render(this.scene, this.camera);
    this.screenDirty = true;
    this.overlays.update(this.camera, this.width, this.height);
    this.onRender();
    this.lastFrameEnd = performance.now();
    if (moving) this.requestRender(true);
  }

  private resize(): void {
    const rect = this.container.getBoundingClientRect();
    this.width = Math.max(1, Math.round(rect.width));
    this.height = Math.max(1, Math.round(rect.height));
    this.renderer.setSize(this.width, this.height, true);
    this.camera.aspect = this.width / this.height;
    this.camera.updateProjectionMatrix();
    this.updatePointScale();
    this.requestRender();
  }

  private updatePointScale(): void {
    const heightPx = this.height * this.renderer.getPixelRatio();
    for (const view of Object.values(this.views)) view?.setViewport(heightPx, this.camera.fov);
  }

  get size(): { width: number; height: number } {
    return { width: this.width, height: this.height };
  }

  /** Screen position (CSS px, relative to the canvas) of a node, or null when off screen. */
  nodeScreen(side: Side, node: number): { x: number; y: number } | null {
    this.refreshScreen();
    const view = this.views[side];
    if (!view || node < 0 || node >= view.nodeCount) return null;
    const x = view.screen[2 * node];
    const y = view.screen[2 * node + 1];
    return Number.isNaN(x) ? null : { x, y };
  }

  pick(x: number, y: number): PickHit | null {
    this.refreshScreen();
    const screens = (['sparse', 'dense'] as const).flatMap((side) => {
      const view = this.views[side];
      return view ? [{ key: side, screen: view.screen }] : [];
    });
    const hit = nearestAcross(screens, x, y, PICK_RADIUS_PX);
    return hit ? { side: hit.key, node: hit.node } : null;
  }

  private refreshScreen(): void {
    if (!this.screenDirty) return;
    projectViews(this.camera, Object.values(this.views), this.width, this.height);
    this.screenDirty = false;
  }

  private local(e: PointerEvent): { x: number; y: number } {
    const rect = this.renderer.domElement.getBoundingClientRect();
    return { x: e.clientX - rect.left, y: e.clientY - rect.top };
  }

  private handleMove(e: PointerEvent): void {
    if (e.buttons !== 0 || e.pointerType === 'touch') return; // dragging: the controls own the pointer
    const { x, y } = this.local(e);
    this.onHover(this.pick(x, y));
  }

  private handleUp(e: PointerEvent): void {
    const down = this.downAt;
    this.downAt = null;
    if (!down || Math.hypot(e.clientX - down.x, e.clientY - down.y) > 5) return; // a drag, not a click
    const { x, y } = this.local(e);
    this.onClick(this.pick(x, y));
  }

  /** The last framing asked for (the URL's camera preset). */
  framed: FrameTarget = 'both';
  onFramed: (target: FrameTarget) => void = () => {};

  /** Fits one network or both (with room for the overlays beside them) into the view. */
  frameView(target: FrameTarget = 'both'): void {
    if (target !== this.framed) {
      this.framed = target;
      this.onFramed(target);
    }
    const box = new THREE.Box3();
    for (const side of ['sparse', 'dense'] as const) {
      const view = this.views[side];
      if (!view || (target !== 'both' && target !== side)) continue;
      const { min, max } = view.layout.bounds;
      box.expandByPoint(new THREE.Vector3(...min)).expandByPoint(new THREE.Vector3(...max));
    }
    if (box.isEmpty()) return;
    fitCamera(this.camera, this.controls.target, box, {
      left: Math.min(0.3, this.reserveLeftPx / this.width),
      right: Math.min(0.3, this.reserveRightPx / this.width),
      top: Math.min(0.3, TITLE_ROOM_PX / this.height),
      bottom: Math.min(0.3, HEADLINE_ROOM_PX / this.height),
    });
    this.controls.update();
    this.requestRender();
  }

  /** Moves the orbit target to a node, keeping the camera's offset. */
  centerOn(side: Side, node: number): void {
    const view = this.views[side];
    if (!view) return;
    const p = view.nodePosition(node);
    const offset = this.camera.position.clone().sub(this.controls.target);
    this.controls.target.copy(p);
    this.camera.position.copy(p).add(offset);
    this.controls.update();
    this.requestRender();
  }

  frameStats(): FrameStats {
    return this.frameBudget.stats();
  }

  /** After a benchmark: every edge again, picking refreshed. */
  restoreFullDetail(): void {
    this.interactiveUntil = 0;
    for (const view of Object.values(this.views)) view?.setEdgeBudget(null);
    this.reducedLastFrame = false;
    this.screenDirty = true;
    this.requestRender();
  }

  dispose(): void {
    if (this.pending) cancelAnimationFrame(this.pending);
    clearTimeout(this.settleTimer);
    for (const view of Object.values(this.views)) view?.dispose();
    this.views = {};
    this.resizeObserver.disconnect();
    this.controls.dispose();
    this.overlays.dispose();
    this.renderer.dispose();
    this.renderer.domElement.remove();
  }
}
