/**
 * The NumPy `.npy` file header (format versions 1.0, 2.0 and 3.0, as specified in
 * `numpy.lib.format`). The harness writes version 1.0 headers like `np.save` does (2.0 only when
 * the header would not fit in 64 KiB) and reads headers of files written by NumPy, so
 * `numpy.load(path, mmap_mode="r")` and the memmap backend see the same bytes.
 */
import { closeSync, openSync, readSync } from "node:fs";
import { allocate, type Dtype, dtypeFromNumpyDescr, itemSize, numpyDescr, type TypedArray } from "../core/dtype.ts";
import { cStrides, elementCount, fStrides, type Selection, selectionShape } from "../core/selection.ts";
import type { DatasetSpec } from "../scenario/types.ts";

const MAGIC = Buffer.from([0x93, ...Buffer.from("NUMPY", "latin1")]);
/** NumPy aligns the data start to 64 bytes so memory-mapped data is aligned for any dtype. */
const NPY_ALIGN = 64;

export interface NpyHeader {
  /** Format version as [major, minor]. */
  readonly version: readonly [number, number];
  /** NumPy's dtype descriptor, e.g. "<f4". */
  readonly descr: string;
  /** The harness dtype, or undefined when it cannot read this descr (big-endian, structured, ...). */
  readonly dtype: Dtype | undefined;
  readonly fortranOrder: boolean;
  readonly shape: readonly number[];
  /** Byte offset of the first element: magic + version + length field + header text. */
  readonly dataOffset: number;
}

/** A malformed or unreadable `.npy` header; `message` says which part. */
export class NpyFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NpyFormatError";
  }
}

/**
 * The header bytes for an array, padded with spaces and a final newline so data starts at a
 * multiple of 64, e.g. `{'descr': '<f4', 'fortran_order': False, 'shape': (4096, 4096), }`.
 */
export function formatNpyHeader(dtype: Dtype, shape: readonly number[], fortranOrder: boolean): Buffer {
  // Python's repr of a tuple: "()" for 0-d, "(37,)" for 1-d.
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  const dict = `{'descr': '${numpyDescr(dtype)}', 'fortran_order': ${fortranOrder ? "True" : "False"}, 'shape': ${tuple}, }`;
  for (const [major, lengthBytes] of [
    [1, 2],
    [2, 4],
  ] as const) {
    const prefix = MAGIC.length + 2 + lengthBytes;
    // Same rule as numpy's _wrap_header: pad so prefix + dict + spaces + "\n" is a multiple of 64.
    const pad = NPY_ALIGN - ((prefix + dict.length + 1) % NPY_ALIGN);
    const textLength = dict.length + pad + 1;
    if (textLength >= 2 ** (8 * lengthBytes)) continue;
    const out = Buffer.alloc(prefix + textLength, 0x20);
    MAGIC.copy(out, 0);
    out[6] = major;
    out[7] = 0;
    if (lengthBytes === 2) out.writeUInt16LE(textLength, 8);
    else out.writeUInt32LE(textLength, 8);
    out.write(dict, prefix, "latin1");
    out[out.length - 1] = 0x0a;
    return out;
  }
  throw new NpyFormatError(`.npy header for shape (${shape.join(", ")}) is too long`);
}

/** Bytes needed to read any header's length field; a caller reads more once it knows the length. */
const NPY_PREFIX_BYTES = 12;

/** Total header length (= data offset) from the first {@link NPY_PREFIX_BYTES} bytes. */
function npyHeaderLength(prefix: Uint8Array): number {
  const b = Buffer.from(prefix.buffer, prefix.byteOffset, prefix.byteLength);
  if (b.length < 10 || !b.subarray(0, 6).equals(MAGIC)) throw new NpyFormatError("not a .npy file (bad magic)");
  const major = b[6];
  if (major === 1) return 10 + b.readUInt16LE(8);
  if (major === 2 || major === 3) {
    if (b.length < 12) throw new NpyFormatError("truncated .npy header");
    return 12 + b.readUInt32LE(8);
  }
  throw new NpyFormatError(`unsupported .npy format version ${major}.${b[7]} (supported: 1.0, 2.0, 3.0)`);
}

/**
 * The header of the `.npy` file open as `fd`: its length field first, then exactly the header. The
 * one way every part of the harness reads a header (the memmap reader, source probes, the reference
 * read that verifies a user's file).
 */
export function readNpyHeader(fd: number): NpyHeader {
  const prefix = Buffer.alloc(NPY_PREFIX_BYTES);
  const got = readSync(fd, prefix, 0, prefix.length, 0);
  const bytes = Buffer.alloc(npyHeaderLength(prefix.subarray(0, got)));
  const length = readSync(fd, bytes, 0, bytes.length, 0);
  return parseNpyHeader(bytes.subarray(0, length));
}

/** Parses a complete header (at least {@link npyHeaderLength} bytes of the file's start). */
export function parseNpyHeader(bytes: Uint8Array): NpyHeader {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dataOffset = npyHeaderLength(b);
  if (b.length < dataOffset) throw new NpyFormatError(`truncated .npy header: need ${dataOffset} bytes, got ${b.length}`);
  const major = b[6];
  const start = major === 1 ? 10 : 12;
  // Version 3.0 only differs by allowing UTF-8 in the header (structured field names).
  const text = b.toString(major === 3 ? "utf8" : "latin1", start, dataOffset);
  const descrMatch = /['"]descr['"]\s*:\s*(?:'([^']*)'|"([^"]*)"|(\[))/.exec(text);
  if (!descrMatch) throw new NpyFormatError(`.npy header has no 'descr': ${text.trim()}`);
  if (descrMatch[3]) throw new NpyFormatError("structured dtypes (descr is a list) are not supported");
  const descr = descrMatch[1] ?? descrMatch[2];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(text);
  if (!fortran) throw new NpyFormatError(`.npy header has no 'fortran_order': ${text.trim()}`);
  const shapeMatch = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text);
  if (!shapeMatch) throw new NpyFormatError(`.npy header has no 'shape' tuple: ${text.trim()}`);
  const shape = shapeMatch[1]
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .map((s) => {
      // Python 2 era files may write longs as "3L".
      const n = Number(s.replace(/L$/, ""));
      if (!Number.isSafeInteger(n) || n < 0) throw new NpyFormatError(`.npy header has a bad shape entry "${s}"`);
      return n;
    });
  return {
    version: [major, b[7]],
    descr,
    dtype: dtypeFromNumpyDescr(descr),
    fortranOrder: fortran[1] === "True",
    shape,
    dataOffset,
  };
}

/** Unsigned views by element size: elements move as integers, so NaN payloads survive. */
function words(a: TypedArray | Uint8Array, size: number): Uint8Array | Uint16Array | Uint32Array | BigUint64Array {
  const n = a.byteLength / size;
  if (size === 8) return new BigUint64Array(a.buffer, a.byteOffset, n);
  if (size === 4) return new Uint32Array(a.buffer, a.byteOffset, n);
  if (size === 2) return new Uint16Array(a.buffer, a.byteOffset, n);
  return new Uint8Array(a.buffer, a.byteOffset, n);
}

function readFully(fd: number, into: Uint8Array, position: number, path: string): void {
  for (let done = 0; done < into.length; ) {
    const n = readSync(fd, into, done, into.length - done, position + done);
    if (n === 0) throw new Error(`${path}: file ends before byte ${position + into.length}`);
    done += n;
  }
}

/**
 * The elements of `sel` (C order) read from a `.npy` file with plain positioned reads, one per run
 * along the file's fastest axis: no mapping, none of the memmap backend's code.
 */
export function readNpyRegion(path: string, sel: Selection, dataset: DatasetSpec): TypedArray {
  const fd = openSync(path, "r");
  try {
    const header = readNpyHeader(fd);
    if (header.dtype !== dataset.dtype || header.shape.join() !== dataset.shape.join()) {
      throw new Error(`${path}: holds ${header.descr} (${header.shape.join(", ")}), dataset ${dataset.name} is ${dataset.dtype} (${dataset.shape.join(", ")})`);
    }
    const size = itemSize(dataset.dtype);
    const counts = selectionShape(sel);
    const out = allocate(dataset.dtype, elementCount(counts));
    if (out.length === 0) return out;
    const fileStrides = header.fortranOrder ? fStrides(dataset.shape) : cStrides(dataset.shape);
    const outStrides = cStrides(counts);
    const fast = header.fortranOrder ? 0 : sel.length - 1;
    const outer = sel.map((_, a) => a).filter((a) => a !== fast);
    const n = counts[fast];
    const step = sel[fast].step;
    const span = new Uint8Array(((n - 1) * step + 1) * size);
    // Same-size unsigned views: the element copy below never mixes number and bigint.
    const src = words(span, size) as Uint32Array;
    const dst = words(out, size) as Uint32Array;
    const index = outer.map(() => 0);
    for (;;) {
      let fileElem = sel[fast].start * fileStrides[fast];
      let outElem = 0;
      outer.forEach((a, k) => {
        fileElem += (sel[a].start + index[k] * sel[a].step) * fileStrides[a];
        outElem += index[k] * outStrides[a];
      });
      readFully(fd, span, header.dataOffset + fileElem * size, path);
      for (let k = 0; k < n; k++) dst[outElem + k * outStrides[fast]] = src[k * step];
      let k = outer.length - 1;
      while (k >= 0 && ++index[k] === counts[outer[k]]) index[k--] = 0;
      if (k < 0) return out;
    }
  } finally {
    closeSync(fd);
  }
}
