// PyTorch checkpoints (`torch.save(model.state_dict())`, the zip format since torch 1.6) read without
// Python: `<prefix>/data.pkl` is unpickled by the safe state_dict reader (src/formats/pickle.ts) and each
// tensor becomes a view into its raw little-endian storage `<prefix>/data/<key>`. The result has the same
// shape as a parsed safetensors file, so one loader serves both. Only contiguous tensors are accepted;
// every size is checked against its storage before anything is allocated.

import {
  type PickleStorage,
  type PickleTensor,
  type PickleValue,
  TORCH_STORAGE_TYPES,
  unpickleStateDict,
} from './pickle';
import { DTYPE_SIZES, type SafeTensor, type SafetensorsFile } from './safetensors';
import { readZipStore } from './zipStore';

class TorchCheckpointError extends Error {
  override name = 'TorchCheckpointError';
}

/** True when the bytes start like a zip archive (a torch.save file) rather than a safetensors header. */
export function looksLikeZip(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04
  );
}

/** An opened torch.save archive: its unpickled root and a way to view any tensor in it. */
export interface TorchArchive {
  root: PickleValue;
  /** The tensor's bytes in its storage, checked (contiguous, in bounds, storage size as declared). */
  tensor: (name: string, t: PickleTensor) => SafeTensor;
}

/** Unzip and unpickle a torch.save file (any pickled tree of the safe subset, see pickle.ts). */
export function openTorchArchive(bytes: Uint8Array, fileName: string): TorchArchive {
  const fail = (message: string): never => {
    throw new TorchCheckpointError(`${fileName}: ${message}`);
  };
  if (!looksLikeZip(bytes))
    fail('not a PyTorch zip checkpoint (legacy pre-1.6 torch.save files are not supported)');
  const entries = readZipStore(bytes, fileName);
  const pkl = [...entries.keys()].find((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (!pkl) return fail('no <name>/data.pkl in the archive: not a torch.save checkpoint');
  const prefix = pkl.slice(0, pkl.length - 'data.pkl'.length);
  const byteorder = entries.get(`${prefix}byteorder`);
  if (byteorder && new TextDecoder().decode(byteorder.data).trim() !== 'little')
    fail('the checkpoint was saved big-endian; only little-endian storages are read');
  const root = unpickleStateDict(entries.get(pkl)?.data ?? new Uint8Array(), `${fileName}:${pkl}`);

  function storageBytes(s: PickleStorage, name: string): Uint8Array {
    const entry = entries.get(`${prefix}data/${s.key}`);
    if (!entry) return fail(`tensor '${name}': storage '${s.key}' is missing from the archive`);
    const size = DTYPE_SIZES[TORCH_STORAGE_TYPES[s.storageType]];
    if (entry.data.length !== s.numel * size)
      fail(
        `tensor '${name}': storage '${s.key}' holds ${entry.data.length} bytes, but ${s.numel} × ${size}-byte elements were declared`,
      );
    return entry.data;
  }

  function tensor(name: string, t: PickleTensor): SafeTensor {
    const storage = storageBytes(t.storage, name);
    const dtype = TORCH_STORAGE_TYPES[t.storage.storageType];
    const size = DTYPE_SIZES[dtype];
    let numel = 1;
    for (const dim of t.shape) numel *= dim; // dims are checked safe integers; the product is bounded below
    let expected = 1;
    for (let i = t.shape.length - 1; i >= 0; i--) {
      if (t.shape[i] > 1 && t.stride[i] !== expected)
        fail(`tensor '${name}' is not contiguous (shape [${t.shape}], stride [${t.stride}])`);
      expected *= t.shape[i];
    }
    if (!(t.offset + numel <= t.storage.numel))
      fail(
        `tensor '${name}' of shape [${t.shape}] at offset ${t.offset} needs ${t.offset + numel} elements; its storage has ${t.storage.numel}`,
      );
    const data = storage.subarray(t.offset * size, (t.offset + numel) * size);
    return { name, dtype, shape: [...t.shape], data, fileName };
  }

  return { root, tensor };
}

export function readTorchCheckpoint(bytes: Uint8Array, fileName = 'final_model.pt'): SafetensorsFile {
  const { root, tensor } = openTorchArchive(bytes, fileName);
  if (!(root instanceof Map))
    throw new TorchCheckpointError(
      `${fileName}: data.pkl does not hold a dict (state_dict) at the top level`,
    );
  const tensors = new Map<string, SafeTensor>();
  for (const [key, value] of root) {
    if (typeof key !== 'string')
      throw new TorchCheckpointError(`${fileName}: state_dict key ${String(key)} is not a string`);
    if (typeof value !== 'object' || value === null || (value as PickleTensor).kind !== 'tensor') continue;
    tensors.set(key, tensor(key, value as PickleTensor));
  }
  return { fileName, metadata: {}, tensors };
}
