/**
 * The NumPy `.npy` file header (format versions 1.0, 2.0 and 3.0, as specified in
 * `numpy.lib.format`). The harness writes version 1.0 headers like `np.save` does (2.0 only when
 * the header would not fit in 64 KiB) and reads headers of files written by NumPy, so
 * `numpy.load(path, mmap_mode="r")` and the memmap backend see the same bytes.
 */
import { dtypeFromNumpyDescr, numpyDescr, type Dtype } from "../core/dtype.ts";

const MAGIC = Buffer.from([0x93, ...Buffer.from("NUMPY", "latin1")]);
/** NumPy aligns the data start to 64 bytes so memory-mapped data is aligned for any dtype. */
export const NPY_ALIGN = 64;

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
  for (const [major, lengthBytes] of [[1, 2], [2, 4]] as const) {
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
export const NPY_PREFIX_BYTES = 12;

/** Total header length (= data offset) from the first {@link NPY_PREFIX_BYTES} bytes. */
export function npyHeaderLength(prefix: Uint8Array): number {
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
  const shape = shapeMatch[1].split(",").map((s) => s.trim()).filter((s) => s !== "").map((s) => {
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
