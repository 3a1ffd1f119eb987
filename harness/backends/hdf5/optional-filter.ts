/**
 * Marks the filter of a just-created dataset optional, as h5py registers every filter: libhdf5 then
 * stores a chunk the filter cannot shrink (blosc gives up on such chunks) uncompressed, with that
 * chunk's filter-mask bit set, instead of failing the write. h5wasm's `create_dataset` always
 * registers its filter mandatory and exposes no `H5Pset_filter` flags, so the one flags field is set
 * in the file, between creating the dataset and writing its first chunk.
 *
 * The field is in the filter pipeline message (HDF5 file format spec, "Filter Pipeline Message",
 * version 2) of the dataset's version 2 object header ("OHDR"), as the libhdf5 in h5wasm writes them;
 * the header's checksum (Jenkins' lookup3) is computed again. The stored checksum is verified first,
 * and anything unexpected is an error, never a silent fallback to a mandatory filter.
 */
import { closeSync, fstatSync, openSync, readSync, writeSync } from "node:fs";

/** H5Z_FLAG_OPTIONAL: the filter may fail on a chunk, which is then stored unfiltered. */
export const FLAG_OPTIONAL = 0x0001;
/** Object header message type of the filter pipeline. */
const PIPELINE_MESSAGE = 0x0b;
/** A freshly created one-dataset file is a few KiB; a larger one is not what this expects. */
const MAX_FILE_BYTES = 1 << 20;

const rot = (x: number, k: number) => (x << k) | (x >>> (32 - k));

/** Bob Jenkins' lookup3 `hashlittle`, which HDF5 uses for metadata checksums (initial value 0). */
export function lookup3(key: Uint8Array, initval = 0): number {
  let a = (0xdeadbeef + key.length + initval) | 0;
  let b = a;
  let c = a;
  const word = (i: number, n: number) => {
    let w = 0;
    for (let j = 0; j < n; j++) w |= key[i + j] << (8 * j);
    return w;
  };
  let i = 0;
  let length = key.length;
  while (length > 12) {
    a = (a + word(i, 4)) | 0;
    b = (b + word(i + 4, 4)) | 0;
    c = (c + word(i + 8, 4)) | 0;
    a = (a - c) | 0;
    a ^= rot(c, 4);
    c = (c + b) | 0;
    b = (b - a) | 0;
    b ^= rot(a, 6);
    a = (a + c) | 0;
    c = (c - b) | 0;
    c ^= rot(b, 8);
    b = (b + a) | 0;
    a = (a - c) | 0;
    a ^= rot(c, 16);
    c = (c + b) | 0;
    b = (b - a) | 0;
    b ^= rot(a, 19);
    a = (a + c) | 0;
    c = (c - b) | 0;
    c ^= rot(b, 4);
    b = (b + a) | 0;
    length -= 12;
    i += 12;
  }
  if (length === 0) return c >>> 0;
  a = (a + word(i, Math.min(length, 4))) | 0;
  if (length > 4) b = (b + word(i + 4, Math.min(length - 4, 4))) | 0;
  if (length > 8) c = (c + word(i + 8, length - 8)) | 0;
  c ^= b;
  c = (c - rot(b, 14)) | 0;
  a ^= c;
  a = (a - rot(c, 11)) | 0;
  b ^= a;
  b = (b - rot(a, 25)) | 0;
  c ^= b;
  c = (c - rot(b, 16)) | 0;
  a ^= c;
  a = (a - rot(c, 4)) | 0;
  b ^= a;
  b = (b - rot(a, 14)) | 0;
  c ^= b;
  c = (c - rot(b, 24)) | 0;
  return c >>> 0;
}

const u16 = (bytes: Uint8Array, at: number) => bytes[at] | (bytes[at + 1] << 8);
const u32 = (bytes: Uint8Array, at: number) => (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0;

/** Where a pipeline's flags field and its object header's checksummed range are. */
export interface PipelineFlags {
  readonly flagsAt: number;
  readonly headerStart: number;
  readonly checksumAt: number;
}

/**
 * The flags fields of version 2 pipelines whose only filter is `filterId`, in the first chunk of every
 * version 2 object header of `bytes` (a whole file). Throws when a header's checksum does not verify.
 */
export function findPipelineFlags(bytes: Uint8Array, filterId: number): PipelineFlags[] {
  const found: PipelineFlags[] = [];
  const signature = Buffer.from("OHDR");
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let start = buffer.indexOf(signature); start >= 0; start = buffer.indexOf(signature, start + 1)) {
    if (bytes[start + 4] !== 2) continue;
    const flags = bytes[start + 5];
    let at = start + 6 + (flags & 0x20 ? 16 : 0) + (flags & 0x10 ? 4 : 0);
    const sizeBytes = 1 << (flags & 0x03);
    let size = 0;
    for (let j = 0; j < sizeBytes; j++) size += bytes[at + j] * 2 ** (8 * j);
    at += sizeBytes;
    const checksumAt = at + size;
    if (checksumAt + 4 > bytes.length) continue;
    if (lookup3(bytes.subarray(start, checksumAt)) !== u32(bytes, checksumAt)) {
      throw new Error(`object header at byte ${start}: checksum does not verify`);
    }
    const messageHeader = 4 + (flags & 0x04 ? 2 : 0);
    while (at + messageHeader <= checksumAt) {
      const type = bytes[at];
      const length = u16(bytes, at + 1);
      const body = at + messageHeader;
      if (type === PIPELINE_MESSAGE && bytes[body] === 2 && bytes[body + 1] === 1 && u16(bytes, body + 2) === filterId) {
        // Filters numbered from 256 (plugins) carry a name length before the flags.
        found.push({ flagsAt: body + 4 + (filterId >= 256 ? 2 : 0), headerStart: start, checksumAt });
      }
      at = body + length;
    }
  }
  return found;
}

/** Makes the one filter of the only dataset in `path` optional; throws when the file is not as expected. */
export function makeFilterOptional(path: string, filterId: number): void {
  const fd = openSync(path, "r+");
  try {
    const size = fstatSync(fd).size;
    if (size > MAX_FILE_BYTES) throw new Error(`${path}: ${size} bytes, expected a newly created file`);
    const bytes = new Uint8Array(size);
    readSync(fd, bytes, 0, size, 0);
    const found = findPipelineFlags(bytes, filterId);
    if (found.length !== 1) {
      throw new Error(
        `${path}: expected one version 2 filter pipeline with filter ${filterId} in a version 2 object header, ` +
          `found ${found.length}; cannot mark the filter optional`,
      );
    }
    const { flagsAt, headerStart, checksumAt } = found[0];
    const flags = u16(bytes, flagsAt) | FLAG_OPTIONAL;
    bytes[flagsAt] = flags & 0xff;
    bytes[flagsAt + 1] = flags >> 8;
    const checksum = lookup3(bytes.subarray(headerStart, checksumAt));
    new DataView(bytes.buffer, bytes.byteOffset).setUint32(checksumAt, checksum, true);
    writeSync(fd, bytes, headerStart, checksumAt + 4 - headerStart, headerStart);
  } finally {
    closeSync(fd);
  }
}
