// A read-only reader for the ZIP archives PyTorch writes (`torch.save`): every entry STORED (method 0,
// no compression), found through the central directory. Hostile input is expected: every offset and size
// is checked against the file before it is used, and anything else (compression, encryption, ZIP64,
// multi-disk) is refused with a ZipError naming the file. No Node APIs.

class ZipError extends Error {
  override name = 'ZipError';
}

export interface ZipEntry {
  name: string;
  /** The entry's bytes: a view into the archive (no copy). */
  data: Uint8Array;
}

const EOCD_SIG = 0x06054b50; // end of central directory
const CEN_SIG = 0x02014b50; // central directory file header
const LOC_SIG = 0x04034b50; // local file header
const EOCD_MIN = 22;
const MAX_COMMENT = 0xffff;

/** Every entry of a STORED zip, by name, in central-directory order. */
export function readZipStore(bytes: Uint8Array, fileName = 'archive.zip'): Map<string, ZipEntry> {
  const fail = (message: string): never => {
    throw new ZipError(`${fileName}: ${message}`);
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < EOCD_MIN) fail(`${bytes.length} bytes is too short for a zip archive (truncated?)`);
  // The end-of-central-directory record sits in the last 22 + 65535 bytes.
  let eocd = -1;
  const lowest = Math.max(0, bytes.length - EOCD_MIN - MAX_COMMENT);
  for (let i = bytes.length - EOCD_MIN; i >= lowest; i--) {
    if (view.getUint32(i, true) === EOCD_SIG) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) fail('no zip end-of-central-directory record: not a zip archive, or truncated');
  const disk = view.getUint16(eocd + 4, true);
  const cdDisk = view.getUint16(eocd + 6, true);
  const count = view.getUint16(eocd + 10, true);
  const cdSize = view.getUint32(eocd + 12, true);
  const cdOffset = view.getUint32(eocd + 16, true);
  if (disk !== 0 || cdDisk !== 0) fail('multi-disk zip archives are not supported');
  if (count === 0xffff || cdOffset === 0xffffffff)
    fail('ZIP64 archives (files over 4 GiB or 65535 entries) are not supported');
  if (cdOffset + cdSize > eocd) fail('central directory runs past its end record (truncated or corrupt)');

  const entries = new Map<string, ZipEntry>();
  const decoder = new TextDecoder('utf-8', { fatal: false });
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > eocd || view.getUint32(p, true) !== CEN_SIG) fail(`central directory entry ${i} is corrupt`);
    const flags = view.getUint16(p + 8, true);
    const method = view.getUint16(p + 10, true);
    const compSize = view.getUint32(p + 20, true);
    const size = view.getUint32(p + 24, true);
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    const localOffset = view.getUint32(p + 42, true);
    if (p + 46 + nameLen > eocd) fail(`central directory entry ${i} has a name past the directory`);
    const name = decoder.decode(bytes.subarray(p + 46, p + 46 + nameLen));
    if (flags & 1) fail(`entry '${name}' is encrypted`);
    if (method !== 0)
      fail(
        `entry '${name}' is compressed (method ${method}); only STORED entries (as torch.save writes) are read`,
      );
    if (compSize === 0xffffffff || size === 0xffffffff || localOffset === 0xffffffff)
      fail(`entry '${name}' uses ZIP64 sizes, which are not supported`);
    if (compSize !== size) fail(`entry '${name}' is stored but its sizes differ (${compSize} vs ${size})`);
    if (localOffset + 30 > bytes.length || view.getUint32(localOffset, true) !== LOC_SIG)
      fail(`entry '${name}': local header at ${localOffset} is missing (truncated or corrupt)`);
    const localName = view.getUint16(localOffset + 26, true);
    const localExtra = view.getUint16(localOffset + 28, true);
    const start = localOffset + 30 + localName + localExtra;
    if (start + size > bytes.length)
      fail(
        `entry '${name}' (${size} bytes at ${start}) runs past the end of the ${bytes.length}-byte file (truncated?)`,
      );
    if (entries.has(name)) fail(`entry '${name}' appears twice`);
    entries.set(name, { name, data: bytes.subarray(start, start + size) });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}
