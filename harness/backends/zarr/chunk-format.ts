/**
 * Decides from an array's metadata whether the direct read path (chunk-reader.ts) covers it, and
 * builds its `ChunkFormat`. Covered: Zarr v2 and v3 arrays on a regular chunk grid, C order, stored
 * little-endian, with no filter and at most one compressor that chunk-decoders.ts knows. Anything
 * else (sharding, transpose, big-endian, v2 filters or F order, checksums, exotic fill values) gets
 * `undefined` and is read through zarrita, whose results the contract tests compare against.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { allocate, type Dtype, itemSize, numpyDescr } from "../../core/dtype.ts";
import { type CompressorSpec, chunkDecoder } from "./chunk-decoders.ts";
import type { ChunkFormat } from "./chunk-reader.ts";

type Json = Record<string, unknown>;

/** The direct path's view of the array in `root` (Zarr format `format`), or undefined when it does not cover it. */
export function chunkFormat(root: string, format: 2 | 3, dtype: Dtype): ChunkFormat | undefined {
  return chunkFormatOf(root, format, JSON.parse(readFileSync(join(root, metadataKey(format)), "utf8")) as Json, dtype);
}

/** The array's metadata document, relative to its folder. */
export function metadataKey(format: 2 | 3): string {
  return format === 2 ? ".zarray" : "zarr.json";
}

/** The same from metadata already parsed (read from remote storage); `root` is where its chunk keys are. */
export function chunkFormatOf(root: string, format: 2 | 3, meta: Record<string, unknown>, dtype: Dtype): ChunkFormat | undefined {
  return format === 2 ? fromV2(root, meta, dtype) : fromV3(root, meta, dtype);
}

function fromV2(root: string, meta: Json, dtype: Dtype): ChunkFormat | undefined {
  const shape = meta.shape,
    chunks = meta.chunks;
  if (!isShape(shape) || !isChunkShape(chunks) || shape.length !== chunks.length || shape.length === 0) return undefined;
  if (meta.order !== "C" || !(meta.filters === null || meta.filters === undefined || (Array.isArray(meta.filters) && meta.filters.length === 0)))
    return undefined;
  if (!sameDescr(meta.dtype, dtype)) return undefined;
  const compressor = meta.compressor === null || meta.compressor === undefined ? null : (meta.compressor as Json);
  const spec: CompressorSpec | null = compressor === null ? null : { id: String(compressor.id), config: compressor };
  const decoder = chunkDecoder(spec);
  const fill = fillBytes(meta.fill_value, dtype);
  if (!decoder || !fill) return undefined;
  const sep = meta.dimension_separator === "/" ? "/" : ".";
  return { root, shape, chunks, itemBytes: itemSize(dtype), keyOf: (c) => c.join(sep), decoder, fill };
}

/** v3 compressor codec names and the v2 ids chunk-decoders.ts knows them by. */
const V3_COMPRESSORS: Record<string, string> = {
  gzip: "gzip",
  zstd: "zstd",
  blosc: "blosc",
  "numcodecs.lz4": "lz4",
  "numcodecs.zlib": "zlib",
  "numcodecs.gzip": "gzip",
  "numcodecs.blosc": "blosc",
  "numcodecs.zstd": "zstd",
};

function fromV3(root: string, meta: Json, dtype: Dtype): ChunkFormat | undefined {
  const shape = meta.shape;
  const grid = meta.chunk_grid as Json | undefined;
  const chunks = (grid?.configuration as Json | undefined)?.chunk_shape;
  if (
    meta.node_type !== "array" ||
    grid?.name !== "regular" ||
    !isShape(shape) ||
    !isChunkShape(chunks) ||
    shape.length !== chunks.length ||
    shape.length === 0
  )
    return undefined;
  if (meta.data_type !== dtype) return undefined;
  const codecs = meta.codecs;
  if (!Array.isArray(codecs) || codecs.length < 1 || codecs.length > 2) return undefined;
  const [bytes, compressor] = codecs as Json[];
  const endian = (bytes.configuration as Json | undefined)?.endian;
  if (bytes.name !== "bytes" || (itemSize(dtype) > 1 && endian !== "little")) return undefined;
  let spec: CompressorSpec | null = null;
  if (compressor) {
    const id = V3_COMPRESSORS[String(compressor.name)];
    if (!id) return undefined;
    spec = { id, config: (compressor.configuration ?? {}) as Json };
  }
  const decoder = chunkDecoder(spec);
  const fill = fillBytes(meta.fill_value, dtype);
  const keys = meta.chunk_key_encoding as Json | undefined;
  const sep = (keys?.configuration as Json | undefined)?.separator;
  if (!decoder || !fill) return undefined;
  let keyOf: (c: readonly number[]) => string;
  if (keys === undefined || keys.name === "default") {
    const s = sep === "." ? "." : "/";
    keyOf = (c) => ["c", ...c].join(s);
  } else if (keys.name === "v2") {
    const s = sep === "/" ? "/" : ".";
    keyOf = (c) => c.join(s);
  } else {
    return undefined;
  }
  return { root, shape, chunks, itemBytes: itemSize(dtype), keyOf, decoder, fill };
}

function isShape(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((n) => Number.isSafeInteger(n) && n >= 0);
}

function isChunkShape(value: unknown): value is number[] {
  return isShape(value) && value.every((n) => n >= 1);
}

/** v2 descriptors that mean `dtype` stored little-endian (single bytes have no order). */
function sameDescr(descr: unknown, dtype: Dtype): boolean {
  if (typeof descr !== "string") return false;
  const own = numpyDescr(dtype);
  return descr === own || (itemSize(dtype) === 1 && descr.slice(1) === own.slice(1) && "|<>".includes(descr[0]));
}

/** The fill value as one element's bytes; undefined for forms the direct path leaves to zarrita. */
function fillBytes(value: unknown, dtype: Dtype): Uint8Array | undefined {
  const one = allocate(dtype, 1);
  if (value === null || value === undefined) {
    // zarrita reads a null fill value as "no fill": chunks never written read as zeros.
  } else if (typeof value === "number") {
    if (typeof one[0] === "bigint") {
      if (!Number.isSafeInteger(value)) return undefined;
      (one as BigInt64Array)[0] = BigInt(value);
    } else {
      (one as Float64Array)[0] = value;
    }
  } else if (typeof value === "string" && (dtype === "float32" || dtype === "float64") && value in SPECIAL_FLOATS) {
    (one as Float64Array)[0] = SPECIAL_FLOATS[value];
  } else {
    return undefined;
  }
  return new Uint8Array(one.buffer);
}

const SPECIAL_FLOATS: Record<string, number> = { NaN: NaN, Infinity: Infinity, "-Infinity": -Infinity };
