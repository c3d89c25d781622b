// What every kernel host module hands the engine: a bound, ready-to-encode dispatch. Bind groups and
// uniform buffers are made once when a plan is built; encoding a forward pass only records commands.

export interface Dispatch {
  label: string; // 'Owner.kernel', shown in validation messages and timings
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
  workgroups: [number, number, number];
  /** When set, the grid is read from this buffer (3 × u32, written on the GPU) instead of `workgroups`. */
  indirect?: GPUBuffer;
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
 * Fused epilogue applied by the dense and CSR kernels after the bias:
 * none; GELU (tanh approximation, GPT-2's MLP); ReLU clamped to [0, clampMax] (Graph Challenge DNN).
 */
export type Activation = 'none' | 'gelu' | 'relu-clamp';

/** WGSL `override` constants for the epilogue: ACTIVATION (0 none, 1 gelu, 2 relu-clamp), CLAMP_MAX. */
export function activationConstants(activation: Activation, clampMax = 32): Record<string, number> {
  const code = activation === 'none' ? 0 : activation === 'gelu' ? 1 : 2;
  return { ACTIVATION: code, CLAMP_MAX: clampMax };
}

export function ceilDiv(a: number, b: number): number {
  return Math.ceil(a / b);
}

/** Workgroup grid for a 1-D kernel over `count` items: x ≤ 65535 (the default limit), spilling into y. */
export function linearGrid(count: number, workgroupSize = 64, maxX = 65535): [number, number, number] {
  const groups = Math.max(1, ceilDiv(count, workgroupSize));
  if (groups <= maxX) return [groups, 1, 1];
  return [maxX, ceilDiv(groups, maxX), 1];
}
