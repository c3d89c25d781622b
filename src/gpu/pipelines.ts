// Compute pipelines are built once per device and cached by a key derived from the shader id, the entry
// point and the sorted override constants (pipelineKey), never per frame or per token; shader modules are
// cached by their code. Kernels hold the pipelines they were given (src/gpu/kernels/*.ts).

/** A kernel's WGSL: `id` names the file in shaders/ ('spmm_csr_batched'), `code` is its expanded text. */
export interface WgslShader {
  id: string;
  code: string;
}

interface PipelineSpec {
  shader: WgslShader;
  entryPoint?: string; // default 'main'
  /** An explicit layout: pipelines are shared by key, so every user must bind group-equivalent layouts. */
  layout: GPUPipelineLayout;
  constants?: Record<string, number>;
}

const pipelineCaches = new WeakMap<GPUDevice, Map<string, Promise<GPUComputePipeline>>>();
const moduleCaches = new WeakMap<GPUDevice, Map<string, GPUShaderModule>>();

function cacheOf<V>(caches: WeakMap<GPUDevice, Map<string, V>>, device: GPUDevice): Map<string, V> {
  let cache = caches.get(device);
  if (!cache) {
    cache = new Map();
    caches.set(device, cache);
  }
  return cache;
}

/** 'matmul_tiled:main_vec4:BK=16,HAS_BIAS=1,…': the one key format, constants sorted by name. */
export function pipelineKey(
  shaderId: string,
  entryPoint: string,
  constants: Record<string, number> = {},
): string {
  const sorted = Object.keys(constants)
    .sort()
    .map((name) => `${name}=${constants[name]}`);
  return `${shaderId}:${entryPoint}:${sorted.join(',')}`;
}

/** One module per distinct code on a device, labelled with the shader id. */
function shaderModule(device: GPUDevice, shader: WgslShader): GPUShaderModule {
  const cache = cacheOf(moduleCaches, device);
  let module = cache.get(shader.code);
  if (!module) {
    module = device.createShaderModule({ label: `${shader.id}.wgsl`, code: shader.code });
    cache.set(shader.code, module);
  }
  return module;
}

export function getPipeline(device: GPUDevice, spec: PipelineSpec): Promise<GPUComputePipeline> {
  const cache = cacheOf(pipelineCaches, device);
  const entryPoint = spec.entryPoint ?? 'main';
  const key = pipelineKey(spec.shader.id, entryPoint, spec.constants);
  let pipeline = cache.get(key);
  if (!pipeline) {
    pipeline = device.createComputePipelineAsync({
      label: key,
      layout: spec.layout,
      compute: { module: shaderModule(device, spec.shader), entryPoint, constants: spec.constants },
    });
    cache.set(key, pipeline);
    // A failed compile must not poison the cache forever.
    pipeline.catch(() => cache.delete(key));
  }
  return pipeline;
}

/** Bind group layout of N read-only storage buffers, then M read-write ones, then U uniform buffers. */
function storageLayout(
  device: GPUDevice,
  label: string,
  [readOnly, readWrite, uniforms]: [number, number, number],
): GPUBindGroupLayout {
  const types: GPUBufferBindingType[] = [
    ...Array<GPUBufferBindingType>(readOnly).fill('read-only-storage'),
    ...Array<GPUBufferBindingType>(readWrite).fill('storage'),
    ...Array<GPUBufferBindingType>(uniforms).fill('uniform'),
  ];
  const entries = types.map((type, binding) => ({
    binding,
    visibility: GPUShaderStage.COMPUTE,
    buffer: { type },
  }));
  return device.createBindGroupLayout({ label, entries });
}

/** A bind group layout and the pipeline layout of that one group. */
export function kernelLayout(
  device: GPUDevice,
  owner: string,
  counts: [readOnly: number, readWrite: number, uniforms: number],
): { bindGroupLayout: GPUBindGroupLayout; pipelineLayout: GPUPipelineLayout } {
  const bindGroupLayout = storageLayout(device, `${owner}.layout`, counts);
  const pipelineLayout = device.createPipelineLayout({
    label: `${owner}.pipelineLayout`,
    bindGroupLayouts: [bindGroupLayout],
  });
  return { bindGroupLayout, pipelineLayout };
}

/** A bind group of whole buffers at bindings 0, 1, 2, … in order. */
export function bindBuffers(
  device: GPUDevice,
  label: string,
  layout: GPUBindGroupLayout,
  buffers: GPUBuffer[],
): GPUBindGroup {
  return device.createBindGroup({
    label,
    layout,
    entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
}

/**
 * The value of a module-scope `const NAME: u32 = 16u;` (or `const NAME = 16u;`) of a shader, so that a host
 * check reads the one number the WGSL declares (such as MAX_TB, a private array's size) instead of a copy.
 */
export function wgslConstU32(shader: WgslShader, name: string): number {
  const pattern = new RegExp(`^\\s*const\\s+${name}\\s*(?::\\s*u32\\s*)?=\\s*(\\d+)u?\\s*;`, 'm');
  const match = pattern.exec(shader.code);
  if (!match) throw new Error(`${shader.id}.wgsl declares no \`const ${name}: u32 = …;\``);
  return Number(match[1]);
}
