// One network in three.js: one Points object of neurons (one draw call) and one LineSegments of every
// displayed weight (one draw call, additive so a dense tangle glows instead of turning into a wall),
// plus a small overlay of the hovered / pinned neuron's own edges. Owns its GPU resources: dispose().

import * as THREE from 'three';
import type { LayerActivations, NetworkGraph } from '../model/graph';
import { activationColor, kindColor } from './colors';
import { autoGain, buildEdgeBuffers, type EdgeBuffers, edgesTouching, NEGATIVE, POSITIVE } from './edges';
import type { NetworkLayout } from './layout';

// Round, lightly shaded discs whose size shrinks with distance like a sphere's (never below 2 px).
const NODE_VERTEX = /* glsl */ `
uniform float diameter;
uniform float pixelsPerUnit;
varying vec3 vColor;
void main() {
  vColor = color;
  vec4 mv = modelViewMatrix * vec4(position, 1.0);
  gl_PointSize = max(2.0, diameter * pixelsPerUnit / -mv.z);
  gl_Position = projectionMatrix * mv;
}`;
const NODE_FRAGMENT = /* glsl */ `
varying vec3 vColor;
void main() {
  vec2 c = gl_PointCoord * 2.0 - 1.0;
  float r2 = dot(c, c);
  if (r2 > 1.0) discard;
  gl_FragColor = vec4(vColor * (0.7 + 0.3 * sqrt(1.0 - r2)), 1.0);
}`;

export interface NetworkViewOptions {
  nodeRadius?: number;
  /** Edge brightness multiplier on top of autoGain. */
  brightness?: number;
}

export class NetworkView {
  readonly group = new THREE.Group();
  readonly edges: EdgeBuffers;
  private readonly nodePoints: THREE.Points;
  private readonly nodeColors: THREE.BufferAttribute;
  private readonly nodeMaterial: THREE.ShaderMaterial;
  private readonly edgeLines: THREE.LineSegments;
  private readonly focusLines: THREE.LineSegments;
  private readonly markers: THREE.Mesh[];
  private readonly disposables: { dispose(): void }[] = [];
  /** Node positions projected to CSS pixels (2 per node), refreshed by the scene per camera change. */
  screen: Float32Array;

  constructor(
    readonly graph: NetworkGraph,
    readonly layout: NetworkLayout,
    options: NetworkViewOptions = {},
    /** The displayed edges when already built (the app builds them in a task of their own); taken over. */
    edges: EdgeBuffers = buildEdgeBuffers(graph, layout, { gain: 1 }),
  ) {
    const radius = options.nodeRadius ?? 0.045;
    this.screen = new Float32Array(layout.count * 2);
    this.edges = edges;
    const gains = autoGain(this.edges, layout);
    const brightness = options.brightness ?? 1;
    const colors = this.edges.colors;
    for (let e = 0; e < this.edges.count; e++) {
      const g = gains[layout.nodeLayer[this.edges.to[e]]] * brightness;
      for (let i = 6 * e; i < 6 * e + 6; i++) colors[i] *= g;
    }

    // Neurons as round point sprites: one vertex each. (An InstancedMesh of spheres cost ~80 triangles a
    // neuron, which on a software rasterizer took longer than all the edges.)
    const nodeGeometry = new THREE.BufferGeometry();
    nodeGeometry.setAttribute('position', new THREE.BufferAttribute(layout.positions, 3));
    this.nodeColors = new THREE.BufferAttribute(new Float32Array(layout.count * 3), 3);
    nodeGeometry.setAttribute('color', this.nodeColors);
    this.nodeMaterial = new THREE.ShaderMaterial({
      uniforms: { diameter: { value: 2 * radius }, pixelsPerUnit: { value: 400 } },
      vertexShader: NODE_VERTEX,
      fragmentShader: NODE_FRAGMENT,
      vertexColors: true,
    });
    this.nodePoints = new THREE.Points(nodeGeometry, this.nodeMaterial);
    this.nodePoints.name = `${graph.title}.nodes`;
    this.nodePoints.frustumCulled = false;
    this.nodePoints.renderOrder = 1;
    this.setActivations(undefined, 0);

    const edgeGeometry = new THREE.BufferGeometry();
    edgeGeometry.setAttribute('position', new THREE.BufferAttribute(this.edges.positions, 3));
    edgeGeometry.setAttribute('color', new THREE.BufferAttribute(this.edges.colors, 3));
    const edgeMaterial = new THREE.LineBasicMaterial({
      vertexColors: true,
      transparent: true,
      blending: THREE.AdditiveBlending,
      depthWrite: false,
    });
    this.edgeLines = new THREE.LineSegments(edgeGeometry, edgeMaterial);
    this.edgeLines.name = `${graph.title}.edges`;
    this.edgeLines.frustumCulled = false;

    const focusMaterial = new THREE.LineBasicMaterial({
      vertexColors: true,
      depthTest: false,
      transparent: true,
    });
    this.focusLines = new THREE.LineSegments(new THREE.BufferGeometry(), focusMaterial);
    this.focusLines.renderOrder = 10;
    this.focusLines.frustumCulled = false;

    const markerGeometry = new THREE.SphereGeometry(radius * 2.6, 16, 12);
    this.markers = [0.55, 0.35].map((opacity) => {
      const material = new THREE.MeshBasicMaterial({
        color: 0xffffff,
        transparent: true,
        opacity,
        depthTest: false,
      });
      this.disposables.push(material);
      const mesh = new THREE.Mesh(markerGeometry, material);
      mesh.visible = false;
      mesh.renderOrder = 11;
      return mesh;
    });
    this.disposables.push(nodeGeometry, this.nodeMaterial, edgeGeometry, edgeMaterial, focusMaterial);
    this.disposables.push(markerGeometry);
    this.group.add(this.edgeLines, this.nodePoints, this.focusLines, ...this.markers);
  }

  /** Draw only the `budget` strongest edges (they are stored strongest first); null: all of them. */
  setEdgeBudget(budget: number | null): void {
    const n = budget === null ? this.edges.count : Math.min(budget, this.edges.count);
    this.edgeLines.geometry.setDrawRange(0, 2 * n);
  }

  /** Edges the draw range covers now. */
  get drawnEdges(): number {
    return Math.min(this.edges.count, this.edgeLines.geometry.drawRange.count / 2);
  }

  get edgeCount(): number {
    return this.edges.count;
  }

  get nodeCount(): number {
    return this.layout.count;
  }

  /** Colour neurons by activation of token `token` (per layer, scaled by that layer's max |a|). */
  setActivations(activations: LayerActivations | undefined, token: number): void {
    const { layout, graph } = this;
    const out = this.nodeColors.array;
    for (const placement of layout.layers) {
      const layer = graph.layers[placement.layerIndex];
      const acts = activations?.byLayer[layer.id];
      const base = token * layer.size;
      const hasActs = acts !== undefined && acts.length >= base + layer.size;
      let scale = 0;
      if (hasActs) for (let i = 0; i < layer.size; i++) scale = Math.max(scale, Math.abs(acts[base + i]));
      for (let i = 0; i < placement.indices.length; i++) {
        const rgb = hasActs
          ? activationColor(acts[base + placement.indices[i]], scale)
          : kindColor(layer.kind);
        out.set(rgb, 3 * (placement.nodeOffset + i));
      }
    }
    this.nodeColors.needsUpdate = true;
  }

  /**
   * Shows the edges of `hover` (or, without one, of `pinned`) brightly and dims the rest; markers on both.
   * Node ids are this network's layout ids; -1 for none.
   */
  setFocus(hover: number, pinned: number): void {
    const focus = hover >= 0 ? hover : pinned;
    // A fresh geometry per focus change; dispose() frees the old one's GL buffers.
    this.focusLines.geometry.dispose();
    const geometry = new THREE.BufferGeometry();
    this.focusLines.geometry = geometry;
    const edgeMaterial = this.edgeLines.material;
    if (focus < 0) {
      geometry.setDrawRange(0, 0);
      if (!Array.isArray(edgeMaterial)) edgeMaterial.opacity = 1;
    } else {
      const hits = edgesTouching(this.edges, focus);
      const positions = new Float32Array(hits.length * 6);
      const colors = new Float32Array(hits.length * 6);
      let maxAbs = 0;
      for (const e of hits) maxAbs = Math.max(maxAbs, Math.abs(this.edges.weight[e]));
      hits.forEach((e, i) => {
        positions.set(this.edges.positions.subarray(6 * e, 6 * e + 6), 6 * i);
        const w = this.edges.weight[e];
        const level = 0.35 + 0.65 * (maxAbs > 0 ? Math.abs(w) / maxAbs : 1);
        const rgb = w >= 0 ? POSITIVE : NEGATIVE;
        for (let k = 0; k < 6; k++) colors[6 * i + k] = Math.min(1, rgb[k % 3] * level + 0.15);
      });
      geometry.setAttribute('position', new THREE.BufferAttribute(positions, 3));
      geometry.setAttribute('color', new THREE.BufferAttribute(colors, 3));
      geometry.setDrawRange(0, hits.length * 2);
      if (!Array.isArray(edgeMaterial)) edgeMaterial.opacity = 0.22;
    }
    [hover, pinned].forEach((node, i) => {
      const marker = this.markers[i];
      marker.visible = node >= 0;
      if (node >= 0) marker.position.fromArray(this.layout.positions, 3 * node);
    });
  }

  /** Point size follows perspective: pixels per world unit at distance 1 (device pixels). */
  setViewport(heightPx: number, fovDeg: number): void {
    this.nodeMaterial.uniforms.pixelsPerUnit.value =
      heightPx / (2 * Math.tan(THREE.MathUtils.degToRad(fovDeg / 2)));
  }

  /** World position of a node. */
  nodePosition(node: number): THREE.Vector3 {
    return new THREE.Vector3().fromArray(this.layout.positions, 3 * node);
  }

  dispose(): void {
    this.group.removeFromParent();
    for (const d of this.disposables) d.dispose();
    this.focusLines.geometry.dispose();
  }
}

/** compileAsync polls program status; give up waiting (the first frame then compiles) after this long. */
const COMPILE_TIMEOUT_MS = 5000;

/**
 * Compiles the views' shader programs (in parallel with the page where the browser has
 * KHR_parallel_shader_compile). The new materials then hold the programs, so disposing the old views
 * never makes three.js compile them again. Skipped on a lost WebGL context, where it would never finish.
 */
export async function compileViews(
  renderer: THREE.WebGLRenderer,
  camera: THREE.Camera,
  views: readonly NetworkView[],
): Promise<void> {
  if (renderer.getContext().isContextLost()) return;
  const staging = new THREE.Scene();
  for (const view of views) staging.add(view.group);
  let timer = 0;
  try {
    if (!renderer.extensions.has('KHR_parallel_shader_compile')) {
      // Without the extension compileAsync only adds a console warning: compile (the programs are
      // acquired now; their link finishes at first use, as it would anyway).
      renderer.compile(staging, camera);
      return;
    }
    const timeout = new Promise<void>((resolve) => {
      timer = window.setTimeout(resolve, COMPILE_TIMEOUT_MS);
    });
    await Promise.race([renderer.compileAsync(staging, camera), timeout]);
  } finally {
    clearTimeout(timer);
    for (const view of views) view.group.removeFromParent();
  }
}
