// What every kernel host module hands the engine: a bound, ready-to-encode dispatch. Bind groups and
// uniform buffers are made once when a plan is built; encoding a forward pass only records commands.
// A dispatch owns the uniform buffers made for it: whoever holds it (a plan, a sweep point) frees them
// with disposeDispatches when it goes. The kernel it came from owns only its pipelines and shared buffers.
import type { ActivationName } from '../../contracts';

export interface Dispatch {
  label: string; // 'Owner.kernel', shown in validation messages and timings
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
  workgroups: [number, number, number];
  /** Buffers made for this dispatch alone (its shape/params uniforms), destroyed by disposeDispatches. */
  uniforms: GPUBuffer[];
  /** When set, the grid is read from this buffer (3 × u32, written on the GPU) instead of `workgroups`. */
  indirect?: GPUBuffer;
}

/** Free the uniforms of dispatches that will not be encoded again. */
export function disposeDispatches(dispatches: Iterable<Dispatch>): void {
  for (const d of dispatches) {
    for (const u of d.uniforms) u.destroy();
    d.uniforms.length = 0;
  }
}

export function encodeDispatch(pass: GPUComputePassEncoder, d: Dispatch): void {
  pass.setPipeline(d.pipeline);
  pass.setBindGroup(0, d.bindGroup);
  if (d.indirect) pass.dispatchWorkgroupsIndirect(d.indirect, 0);
  else pass.dispatchWorkgroups(d.workgroups[0], d.workgroups[1], d.workgroups[2]);
}

/** Encode dispatches in one compute pass (optionally timed) and submit. */
export function runDispatches(
  device: GPUDevice,
  dispatches: Dispatch[],
  label = 'Sparsescope.run',
  timestampWrites?: GPUComputePassTimestampWrites,
): void {
  const encoder = device.createCommandEncoder({ label });
  const pass = encoder.beginComputePass({ label, timestampWrites });
  for (const d of dispatches) encodeDispatch(pass, d);
  pass.end();
  device.queue.submit([encoder.finish()]);
}

/**
 * WGSL `override` constants of the fused epilogue the dense and CSR kernels apply after the bias
 * (shaders/common/epilogue.wgsl): ACTIVATION (0 none, 1 GELU tanh, 2 ReLU clamped to [0, CLAMP_MAX]), CLAMP_MAX.
 */
export function activationConstants(activation: ActivationName, clampMax = 32): Record<string, number> {
  const code = activation === 'none' ? 0 : activation === 'gelu' ? 1 : 2;
  return { ACTIVATION: code, CLAMP_MAX: clampMax };
}

export function ceilDiv(a: number, b: number): number {
  return Math.ceil(a / b);
}

/**
 * Workgroup grid for a 1-D kernel over `count` items (shaders/common/linear_grid.wgsl): x ≤ 65535 (the
 * default limit), spilling into y. `workgroupSize` must be the WG the pipeline was built with.
 */
export function linearGrid(count: number, workgroupSize: number, maxX = 65535): [number, number, number] {
  const groups = Math.max(1, ceilDiv(count, workgroupSize));
  if (groups <= maxX) return [groups, 1, 1];
  return [maxX, ceilDiv(groups, maxX), 1];
}
