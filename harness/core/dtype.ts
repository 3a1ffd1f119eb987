/**
 * Element types a dataset may have, with their sizes, typed-array constructors and the
 * NumPy descriptors used by `.npy` headers and Zarr v2 metadata (always little-endian).
 */

export const DTYPES = ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float32", "float64"] as const;

export type Dtype = (typeof DTYPES)[number];

export type TypedArray =
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigUint64Array
  | Float32Array
  | Float64Array;

type TypedArrayConstructor = {
  new (length: number): TypedArray;
  new (buffer: ArrayBufferLike, byteOffset?: number, length?: number): TypedArray;
  readonly BYTES_PER_ELEMENT: number;
};

const CONSTRUCTORS: Record<Dtype, TypedArrayConstructor> = {
  int8: Int8Array,
  int16: Int16Array,
  int32: Int32Array,
  int64: BigInt64Array,
  uint8: Uint8Array,
  uint16: Uint16Array,
  uint32: Uint32Array,
  uint64: BigUint64Array,
  float32: Float32Array,
  float64: Float64Array,
};

const NUMPY_DESCR: Record<Dtype, string> = {
  int8: "|i1",
  int16: "<i2",
  int32: "<i4",
  int64: "<i8",
  uint8: "|u1",
  uint16: "<u2",
  uint32: "<u4",
  uint64: "<u8",
  float32: "<f4",
  float64: "<f8",
};

export function isDtype(value: unknown): value is Dtype {
  return typeof value === "string" && (DTYPES as readonly string[]).includes(value);
}

/** Bytes per element. */
export function itemSize(dtype: Dtype): number {
  return CONSTRUCTORS[dtype].BYTES_PER_ELEMENT;
}

/** A zero-filled typed array of `length` elements. */
export function allocate(dtype: Dtype, length: number): TypedArray {
  return new CONSTRUCTORS[dtype](length);
}

/** A typed-array view of `length` elements over existing memory (no copy). */
export function view(dtype: Dtype, buffer: ArrayBufferLike, byteOffset: number, length: number): TypedArray {
  return new CONSTRUCTORS[dtype](buffer, byteOffset, length);
}

/** NumPy's `descr` string for this dtype, little-endian. */
export function numpyDescr(dtype: Dtype): string {
  return NUMPY_DESCR[dtype];
}

/** The dtype a NumPy `descr` names, or undefined when the harness cannot read it. */
export function dtypeFromNumpyDescr(descr: string): Dtype | undefined {
  const normalized = descr.replace(/^=/, "<").replace(/^\|(?=[iu]1)/, "|");
  for (const d of DTYPES) {
    const own = NUMPY_DESCR[d];
    if (own === normalized || own.replace("|", "<") === normalized) return d;
  }
  return undefined;
}
