// Buffer helpers: labelled creation, uploads and pooled readback. Every size is checked against the
// device's limits first (a GpuLimitError naming the limit, not a validation error and a zero result).
import { checkBufferSize } from './limits';

const USAGE = {
  STORAGE: 0x0080,
  COPY_SRC: 0x0004,
  COPY_DST: 0x0008,
  UNIFORM: 0x0040,
  MAP_READ: 0x0001,
};

/** Round up to a multiple of 4 bytes and at least 4 (WebGPU rejects zero-sized bindings). */
function paddedSize(bytes: number): number {
  return Math.max(4, Math.ceil(bytes / 4) * 4);
}

export function storageBuffer(device: GPUDevice, label: string, bytes: number, extraUsage = 0): GPUBuffer {
  checkBufferSize(device, label, paddedSize(bytes));
  return device.createBuffer({
    label,
    size: paddedSize(bytes),
    usage: USAGE.STORAGE | USAGE.COPY_DST | USAGE.COPY_SRC | extraUsage,
  });
}

/** Upload a typed array into a new storage buffer. Empty arrays get a 4-byte buffer. */
export function uploadStorage(
  device: GPUDevice,
  label: string,
  data: Float32Array | Uint32Array | Int32Array,
): GPUBuffer {
  const buffer = storageBuffer(device, label, data.byteLength);
  if (data.byteLength > 0) device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
  return buffer;
}

/** A uniform buffer of u32 words (shape parameters). Pad to 16 bytes as WGSL structs require. */
export function uniformU32(device: GPUDevice, label: string, words: number[]): GPUBuffer {
  const padded = new Uint32Array(Math.max(4, Math.ceil(words.length / 4) * 4));
  padded.set(words);
  const buffer = device.createBuffer({
    label,
    size: padded.byteLength,
    usage: USAGE.UNIFORM | USAGE.COPY_DST,
  });
  device.queue.writeBuffer(buffer, 0, padded);
  return buffer;
}

/** Fill a buffer with a NaN bit pattern (tests poison outputs so an unwritten element fails). */
export function poisonBuffer(device: GPUDevice, buffer: GPUBuffer, bytes: number): void {
  const nan = new Uint32Array(paddedSize(bytes) / 4).fill(0x7fc00000);
  device.queue.writeBuffer(buffer, 0, nan);
}

const readbackPools = new WeakMap<GPUDevice, Map<number, GPUBuffer[]>>();

/** Copy `bytes` from `src` and read them back as a Float32Array (staging buffers are pooled by size). */
export async function readFloat32(
  device: GPUDevice,
  src: GPUBuffer,
  bytes: number,
  offset = 0,
): Promise<Float32Array> {
  const size = paddedSize(bytes);
  checkBufferSize(device, 'Readback.staging', size, false);
  let pool = readbackPools.get(device);
  if (!pool) {
    pool = new Map();
    readbackPools.set(device, pool);
  }
  const free = pool.get(size) ?? [];
  pool.set(size, free);
  const staging =
    free.pop() ??
    device.createBuffer({ label: 'Readback.staging', size, usage: USAGE.MAP_READ | USAGE.COPY_DST });
  const encoder = device.createCommandEncoder({ label: 'Readback.encoder' });
  encoder.copyBufferToBuffer(src, offset, staging, 0, size);
  device.queue.submit([encoder.finish()]);
  await staging.mapAsync(0x0001);
  const out = new Float32Array(staging.getMappedRange(0, size).slice(0, bytes));
  staging.unmap();
  free.push(staging);
  return out;
}

/** The bit pattern of an f32, for packing floats into a u32 uniform (read back with bitcast<f32>). */
export function f32Bits(value: number): number {
  return new Uint32Array(new Float32Array([value]).buffer)[0];
}
