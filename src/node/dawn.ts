// WebGPU in Node through Dawn (the `webgpu` package). On a machine without a GPU the Vulkan loader is
// pointed at Chromium's SwiftShader ICD; on a machine with a GPU the system ICDs are used.
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
const SYSTEM_ICD_DIRS = ['/etc/vulkan/icd.d', '/usr/share/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];

// The object returned by create() must stay reachable while any adapter or device lives.
let keepAlive: GPU | null = null;

function hasSystemIcd(): boolean {
  return SYSTEM_ICD_DIRS.some((dir) => existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('.json')));
}

/** A GPU device node: NVIDIA's, or a DRM render node. Mesa's ICDs are often installed without any GPU. */
function hasGpuDevice(): boolean {
  if (existsSync('/dev/nvidia0')) return true;
  return existsSync('/dev/dri') && readdirSync('/dev/dri').some((f) => f.startsWith('renderD'));
}

/** Choose the Vulkan driver before Dawn loads. Returns a description of the choice. */
function configureVulkanEnv(): string {
  if (!process.env.XDG_RUNTIME_DIR) {
    const dir = join(tmpdir(), `sparsescope-xdg-${process.getuid?.() ?? 0}`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    process.env.XDG_RUNTIME_DIR = dir;
  }
  if (process.env.VK_ICD_FILENAMES) return `VK_ICD_FILENAMES=${process.env.VK_ICD_FILENAMES}`;
  if (process.env.SPARSESCOPE_SWIFTSHADER === '1' || !hasGpuDevice() || !hasSystemIcd()) {
    if (existsSync(SWIFTSHADER_ICD)) {
      process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
      return 'SwiftShader (Chromium ICD)';
    }
    return 'no Vulkan ICD found';
  }
  return 'system Vulkan ICDs';
}

/** Create Dawn's GPU object (navigator.gpu equivalent) for Node. */
export async function createNodeGpu(): Promise<GPU> {
  if (keepAlive) return keepAlive;
  configureVulkanEnv();
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  // Raw nanosecond timestamps: Dawn otherwise rounds them (to 65,536 ns on NVIDIA).
  keepAlive = create(['disable-dawn-features=timestamp_quantization']);
  return keepAlive;
}

/** Why there is no adapter, in words a user can act on. */
export function nodeGpuHint(): string {
  const parts = [];
  if (!existsSync(SWIFTSHADER_ICD) && !hasSystemIcd()) {
    parts.push('no Vulkan driver: install a GPU driver, or `apt-get install chromium` for SwiftShader');
  }
  parts.push('the Vulkan loader libvulkan.so.1 must be installed (`apt-get install libvulkan1`)');
  return parts.join('; ');
}
