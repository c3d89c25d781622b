// Compute pipelines are built once per device and cached by a key (`name:variant:workgroupSize`),
// never per frame or per token.

const caches = new WeakMap<GPUDevice, Map<string, Promise<GPUComputePipeline>>>();
const moduleCaches = new WeakMap<GPUDevice, Map<string, GPUShaderModule>>();

export function shaderModule(device: GPUDevice, label: string, code: string): GPUShaderModule {
  let cache = moduleCaches.get(device);
  if (!cache) {
    cache = new Map();
    moduleCaches.set(device, cache);
  }
  let module = cache.get(label);
  if (!module) {
    module = device.createShaderModule({ label, code });
    cache.set(label, module);
  }
  return module;
}

export interface PipelineSpec {
  /** Cache key, e.g. 'SpmmCsr:subgroup:wg64'. */
  key: string;
  /** Label of the shader file, e.g. 'spmm_csr.wgsl'. */
  shaderLabel: string;
  code: string;
  entryPoint?: string;
  layout: GPUPipelineLayout | 'auto';
  constants?: Record<string, number>;
}

export function getPipeline(device: GPUDevice, spec: PipelineSpec): Promise<GPUComputePipeline> {
  let cache = caches.get(device);
  if (!cache) {
    cache = new Map();
    caches.set(device, cache);
  }
  let pipeline = cache.get(spec.key);
  if (!pipeline) {
    pipeline = device.createComputePipelineAsync({
      label: spec.key,
      layout: spec.layout,
      compute: {
        module: shaderModule(device, spec.shaderLabel, spec.code),
        entryPoint: spec.entryPoint ?? 'main',
        constants: spec.constants,
      },
    });
    cache.set(spec.key, pipeline);
    // A failed compile must not poison the cache forever.
    pipeline.catch(() => cache.delete(spec.key));
  }
  return pipeline;
}

/** Bind group layout of N read-only storage buffers, then M read-write ones, then uniform buffers (true = 1). */
export function storageLayout(
  device: GPUDevice,
  label: string,
  readOnly: number,
  readWrite: number,
  uniforms: number | boolean = 1,
): GPUBindGroupLayout {
  const entries: GPUBindGroupLayoutEntry[] = [];
  let binding = 0;
  for (let i = 0; i < readOnly; i++) {
    entries.push({
      binding: binding++,
      visibility: GPUShaderStage.COMPUTE,
      buffer: { type: 'read-only-storage' },
    });
  }
  for (let i = 0; i < readWrite; i++) {
    entries.push({ binding: binding++, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'storage' } });
  }
  const uniformCount = typeof uniforms === 'boolean' ? Number(uniforms) : uniforms;
  for (let i = 0; i < uniformCount; i++) {
    entries.push({ binding: binding++, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform' } });
  }
  return device.createBindGroupLayout({ label, entries });
}
