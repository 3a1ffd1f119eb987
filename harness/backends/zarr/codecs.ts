/**
 * Codecs for the Zarr backend: what a layout's `codec` may be, how it is written into Zarr v2 and v3
 * metadata, and the byte encoders that write chunks.
 *
 * Library traps that shape this file (each pinned by test/zarr.test.ts or test/zarr-interop.test.ts):
 * - zarrita's gzip/zlib codecs only decode. We encode and decode them with `node:zlib` (its decoder
 *   is also faster than zarrita's DecompressionStream path) and register that in zarrita.
 * - numcodecs.js Blosc honours only a numeric `shuffle`; the v3 spelling (`"shuffle"`) passes its
 *   validation and silently means no shuffle. It also always shuffles with a 4-byte element size
 *   (`sizeof(int)` in its C glue), and its bundled c-blosc writes other frames than the one
 *   zarr-python uses. So Blosc chunks are encoded by the system's c-blosc (native/blosc-encode.c,
 *   Debian's libblosc1, which zarr-python's numcodecs links here) with typesize = the item size:
 *   the frames zarr-python writes for the same values. Without it numcodecs.js writes them where
 *   that is correct (zarr/blosc-writer.ts), and otherwise decodes what the direct read path's
 *   decoders leave to it.
 */
import { promisify } from "node:util";
import * as zlib from "node:zlib";
import Blosc from "numcodecs/blosc";
import LZ4 from "numcodecs/lz4";
import Zstd from "numcodecs/zstd";
import * as zarr from "zarrita";
import { type Dtype, isDtype, itemSize } from "../../core/dtype.ts";
import type { CodecSpec } from "../../scenario/types.ts";
import type { LayoutEncoder, LayoutProblem } from "../types.ts";
import { bloscWriter } from "./blosc-writer.ts";
import { zlibOptions } from "./chunk-decoders.ts";
import { withNativeDecode } from "./registered-decoders.ts";

/** Turns a chunk's raw little-endian bytes into stored bytes (and back). */
export interface ByteCodec {
  encode(bytes: Uint8Array): Promise<Uint8Array>;
  decode(bytes: Uint8Array): Promise<Uint8Array>;
}

/** Zarr v3 codec metadata entry. */
export interface CodecMetadata {
  readonly name: string;
  readonly configuration?: Record<string, unknown>;
}

const LEVELS = {
  gzip: { min: 0, max: 9, note: "" },
  // numcodecs.js silently turns levels <= 0 into 1 and clamps above 22.
  zstd: { min: 1, max: 22, note: "" },
  // LZ4's `acceleration`: 1 is its default and best ratio; higher is faster and compresses less.
  lz4: { min: 1, max: 65537, note: " (the level is LZ4's acceleration: 1 = best ratio, higher = faster)" },
  blosc: { min: 0, max: 9, note: "" },
} as const;

const BLOSC_SHUFFLE = { none: 0, byte: 1, bit: 2 } as const;
const BLOSC_SHUFFLE_V3 = { none: "noshuffle", byte: "shuffle", bit: "bitshuffle" } as const;
/** c-blosc 1 and numcodecs.js LZ4 take at most this many bytes per chunk (blosc1's BLOSC_MAX_BUFFERSIZE). */
const MAX_CHUNK_BYTES = 2 ** 31 - 1 - 16;

/** Problems with `codec` for chunks of `chunkBytes` bytes; fields are relative to the layout. */
export function checkCodec(codec: CodecSpec, dtype: Dtype, chunkBytes: number): LayoutProblem[] {
  if (codec.name === "none") return [];
  const problems: LayoutProblem[] = [];
  const range = LEVELS[codec.name];
  if (!Number.isInteger(codec.level) || codec.level < range.min || codec.level > range.max) {
    problems.push({
      field: "codec.level",
      message: `${codec.name} level must be an integer from ${range.min} to ${range.max}${range.note}, got ${codec.level}`,
    });
  }
  if (codec.name === "blosc") {
    if (!(codec.cname in { lz4: 1, zstd: 1, blosclz: 1 })) {
      problems.push({ field: "codec.cname", message: `blosc cname must be lz4, zstd or blosclz, got ${String(codec.cname)}` });
    }
    if (!(codec.shuffle in BLOSC_SHUFFLE)) {
      problems.push({ field: "codec.shuffle", message: `blosc shuffle must be none, byte or bit, got ${String(codec.shuffle)}` });
    } else {
      const writer = bloscWriter(itemSize(dtype), BLOSC_SHUFFLE[codec.shuffle], `${dtype} data (${itemSize(dtype)}-byte elements)`);
      if (!writer.ok) problems.push({ field: "codec.shuffle", message: writer.reason });
    }
  }
  if ((codec.name === "blosc" || codec.name === "lz4") && chunkBytes > MAX_CHUNK_BYTES) {
    problems.push({
      field: "chunks",
      message:
        `${codec.name === "blosc" ? "c-blosc" : "numcodecs.js lz4"} compresses at most ${MAX_CHUNK_BYTES} bytes per chunk, ` +
        `a chunk here has ${chunkBytes}; use smaller chunks`,
    });
  }
  return problems;
}

/** The v3 codec list for one chunk: `bytes` (little-endian) then the compressor, if any. */
export function v3Codecs(codec: CodecSpec, dtype: Dtype): CodecMetadata[] {
  const bytes: CodecMetadata = { name: "bytes", configuration: { endian: "little" } };
  switch (codec.name) {
    case "none":
      return [bytes];
    case "gzip":
      return [bytes, { name: "gzip", configuration: { level: codec.level } }];
    case "zstd":
      return [bytes, { name: "zstd", configuration: { level: codec.level, checksum: false } }];
    // Not a core v3 codec: zarr-python 3 spells numcodecs codecs this way, and zarrita reads it.
    case "lz4":
      return [bytes, { name: "numcodecs.lz4", configuration: { acceleration: codec.level } }];
    case "blosc":
      return [
        bytes,
        {
          name: "blosc",
          configuration: {
            cname: codec.cname,
            clevel: codec.level,
            shuffle: BLOSC_SHUFFLE_V3[codec.shuffle],
            typesize: itemSize(dtype),
            blocksize: 0,
          },
        },
      ];
  }
}

/** The v2 `.zarray` `compressor` entry (numcodecs' `get_config()` form), or null. */
export function v2Compressor(codec: CodecSpec): Record<string, unknown> | null {
  switch (codec.name) {
    case "none":
      return null;
    case "gzip":
      return { id: "gzip", level: codec.level };
    case "zstd":
      return { id: "zstd", level: codec.level };
    case "lz4":
      return { id: "lz4", acceleration: codec.level };
    case "blosc":
      return { id: "blosc", cname: codec.cname, clevel: codec.level, shuffle: BLOSC_SHUFFLE[codec.shuffle], blocksize: 0 };
  }
}

/** The library that writes chunks of `dtype` for `codec`, where what is installed decides it (Blosc). */
export function codecEncoder(codec: CodecSpec, dtype: Dtype): LayoutEncoder | undefined {
  if (codec.name !== "blosc") return undefined;
  const writer = bloscWriter(itemSize(dtype), BLOSC_SHUFFLE[codec.shuffle]);
  return writer.ok ? writer.encoder : undefined;
}

/** The byte codec that writes chunks of `dtype` for `codec`. */
export function createByteCodec(codec: CodecSpec, dtype: Dtype): ByteCodec {
  switch (codec.name) {
    case "none":
      return { encode: async (b) => b, decode: async (b) => b };
    case "gzip":
      return new NodeZlibCodec("gzip", codec.level);
    case "zstd":
      return Zstd.fromConfig({ id: "zstd", level: codec.level }) as ByteCodec;
    case "lz4":
      return LZ4.fromConfig({ id: "lz4", acceleration: codec.level }) as ByteCodec;
    case "blosc":
      return bloscCodec({ cname: codec.cname, clevel: codec.level, shuffle: BLOSC_SHUFFLE[codec.shuffle] }, itemSize(dtype));
  }
}

const gzip = promisify(zlib.gzip);
/** Output piece size when the decoded size is not known (zlib streams do not state it). */
const DEFAULT_PIECE = 1 << 20;
const gunzip = promisify(zlib.gunzip);
const deflate = promisify(zlib.deflate);
const inflate = promisify(zlib.inflate);

/** gzip (RFC 1952) or zlib (RFC 1950) through node:zlib, which runs on the libuv thread pool. */
class NodeZlibCodec implements ByteCodec {
  readonly kind = "bytes_to_bytes";
  constructor(
    private readonly format: "gzip" | "zlib",
    private readonly level: number,
  ) {}
  async encode(bytes: Uint8Array): Promise<Uint8Array> {
    const options = { level: this.level };
    return owned(this.format === "gzip" ? await gzip(bytes, options) : await deflate(bytes, options));
  }
  async decode(bytes: Uint8Array): Promise<Uint8Array> {
    // gzip states the decoded size (mod 2^32) in its last 4 bytes: the output in one piece (chunk-decoders.ts zlibOptions).
    const size = this.format === "gzip" && bytes.length >= 18 ? new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 4).getUint32(0, true) : 0;
    const options = zlibOptions(size > 0 ? size : DEFAULT_PIECE);
    return owned(this.format === "gzip" ? await gunzip(bytes, options) : await inflate(bytes, options));
  }
}

/**
 * `bytes` itself when it spans its whole ArrayBuffer, else a copy that does. Node hands out small
 * Buffers as slices of a shared pool, and zarrita's `bytes` codec encodes `data.buffer` whole
 * (ignoring the offset), so a pooled slice reaching `zarr.set` would write the pool's bytes.
 */
export function owned(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : new Uint8Array(bytes);
}

/**
 * Blosc that encodes `typesize`-byte elements with the encoder zarr/blosc-writer.ts picks, its
 * shuffle given as a number or as v3 metadata spells it; decoding goes through numcodecs.js, which
 * reads everything from the frame.
 */
function bloscCodec(config: { cname?: unknown; clevel?: unknown; shuffle?: unknown; blocksize?: unknown }, typesize: number): ByteCodec {
  const shuffle = typeof config.shuffle === "string" ? { noshuffle: 0, shuffle: 1, bitshuffle: 2 }[config.shuffle] : config.shuffle;
  if (shuffle === undefined && config.shuffle !== undefined) throw new Error(`blosc: unknown shuffle ${String(config.shuffle)}`);
  const settings = {
    typesize,
    cname: config.cname as string,
    clevel: config.clevel as number,
    shuffle: (shuffle as number | undefined) ?? BLOSC_SHUFFLE.byte,
    blocksize: (config.blocksize as number | undefined) ?? 0,
  };
  const decoder = Blosc.fromConfig({ id: "blosc", ...settings }) as ByteCodec;
  return {
    encode: async (bytes) => {
      const writer = bloscWriter(settings.typesize, settings.shuffle);
      if (!writer.ok) throw new Error(`blosc: cannot encode: ${writer.reason}`);
      return writer.encode(bytes, settings);
    },
    decode: withNativeDecode("blosc", (bytes) => decoder.decode(bytes)),
  };
}

/**
 * The element size for a Blosc codec zarrita builds: v3 metadata names it (`typesize`); v2 does not,
 * so it comes from the array's data type, as numcodecs takes it from the array it compresses.
 */
function bloscTypesize(config: Record<string, unknown>, meta: unknown): number {
  if (typeof config.typesize === "number" && config.typesize > 0) return config.typesize;
  const dataType = (meta as { dataType?: unknown } | undefined)?.dataType;
  if (isDtype(dataType)) return itemSize(dataType);
  throw new Error(`blosc: cannot tell the element size of ${JSON.stringify(dataType)} data`);
}

type RegistryEntry = Parameters<typeof zarr.registry.set>[1];

function entry(fromConfig: (config: Record<string, unknown>, meta: unknown) => ByteCodec): RegistryEntry {
  const codec = {
    kind: "bytes_to_bytes" as const,
    fromConfig: (config: unknown, meta: unknown) => Object.assign(fromConfig((config ?? {}) as Record<string, unknown>, meta), { kind: "bytes_to_bytes" }),
  };
  return (async () => codec) as unknown as RegistryEntry;
}

let registered = false;

/**
 * zarrita's own codec registry as the package ships it, copied at import, before
 * {@link registerZarrCodecs} can replace entries: the zarrita engine reads with these, as a user of
 * zarrita would.
 */
export const ZARRITA_DEFAULT_CODECS: ReadonlyMap<string, RegistryEntry> = new Map(zarr.registry);

/**
 * Replaces zarrita's gzip, zlib, blosc, lz4 and zstd codecs (v3 names and v2 `numcodecs.*` names)
 * with ones that can encode (node:zlib), honour the blosc shuffle and element size, and decode with
 * the addon where it covers the frame, so `zarr.get` and `zarr.set` use them. Idempotent.
 */
export function registerZarrCodecs(): void {
  if (registered) return;
  registered = true;
  const level = (c: Record<string, unknown>) => (typeof c.level === "number" ? c.level : 1);
  for (const name of ["gzip", "numcodecs.gzip"])
    zarr.registry.set(
      name,
      entry((c) => new NodeZlibCodec("gzip", level(c))),
    );
  for (const name of ["zlib", "numcodecs.zlib"])
    zarr.registry.set(
      name,
      entry((c) => new NodeZlibCodec("zlib", level(c))),
    );
  for (const name of ["blosc", "numcodecs.blosc"])
    zarr.registry.set(
      name,
      entry((c, meta) => bloscCodec(c, bloscTypesize(c, meta))),
    );
  for (const name of ["lz4", "numcodecs.lz4"])
    zarr.registry.set(
      name,
      entry((c) => nativeDecoding("lz4", LZ4.fromConfig({ id: "lz4", acceleration: typeof c.acceleration === "number" ? c.acceleration : 1 }) as ByteCodec)),
    );
  for (const name of ["zstd", "numcodecs.zstd"])
    zarr.registry.set(
      name,
      entry((c) => nativeDecoding("zstd", Zstd.fromConfig({ id: "zstd", level: level(c) }) as ByteCodec)),
    );
}

/** numcodecs.js's encoder, and the addon's decoder in front of numcodecs.js's (registered-decoders.ts). */
function nativeDecoding(codec: "lz4" | "zstd", numcodecs: ByteCodec): ByteCodec {
  return { encode: (bytes) => numcodecs.encode(bytes), decode: withNativeDecode(codec, (bytes) => numcodecs.decode(bytes)) };
}
