/**
 * Chunk decoders for the direct read path (chunk-reader.ts): one per compressor a regular Zarr array
 * may name, each built once per reader and reused for every chunk (no codec state carries decoded
 * data between chunks). Choices, each measured with harness/bench/read-paths.ts:
 * - gzip / zlib: node:zlib's async functions, which run on libuv's thread pool, so chunks read at
 *   once also decode at once on several cores (zarrita's DecompressionStream path is slower).
 * - blosc (LZ4, BloscLZ or zstd inside; byte, bit or no shuffle), numcodecs `lz4` and `zstd`: the
 *   addon's C decoders (harness/native/decode.c; zstd is libzstd itself), synchronously on this
 *   thread, straight into a reused buffer; a Blosc frame's blocks are spread over the cores by the
 *   addon, with this thread taking blocks too. zstd chunks decode one after another, as
 *   zarr-python's do (numcodecs' Zstd is single-threaded).
 *   Why synchronously on this thread: the alternatives (JS decoders in worker threads, the C
 *   decoder on libuv's thread pool with several chunks in flight, a round of chunks read first and
 *   then decoded as one batch, the C decoder inside decode-pool.ts's workers) were no faster on a
 *   full read or on scattered points and some were much slower, because every hand-off between
 *   threads costs about as much as decoding a chunk. Spreading a frame's blocks helps when another
 *   core is free and costs nothing within a read, where reading and copying take much of the time.
 *   `npm run bench:read-paths` and `npm run bench:decoders` measure these choices.
 *   Without the addon's decoders: the plain-JS decoders in lz4-blosc.ts, and for a read of several
 *   chunks in worker threads too (decode-pool.ts). Blosc frames neither covers (Snappy or zlib
 *   inside, Blosc 2) and, without the addon, zstd go through numcodecs.js.
 */
import { availableParallelism } from "node:os";
import { promisify } from "node:util";
import * as zlib from "node:zlib";
import Blosc from "numcodecs/blosc";
import Zstd from "numcodecs/zstd";
import { bitUnshuffleKernels, type NativeDecoders, nativeDecoders, nativeFeatureMissing } from "../../native/index.ts";
import { readerThreads } from "../concurrency.ts";
import { decodeBlosc, decodeNumcodecsLz4 } from "./lz4-blosc.ts";

/** Stored chunk bytes → the chunk's raw bytes (C order, little-endian, the full chunk shape). */
export interface ChunkDecoder {
  /** False for "none": the stored bytes are the chunk. */
  readonly compressed: boolean;
  /**
   * How a read decodes several chunks at once: "threads" (node:zlib, on libuv's thread pool),
   * "workers" (decode-pool.ts runs this decoder in worker threads), "inline" (one chunk after the
   * other on the reading thread; the addon spreads a Blosc frame's blocks over threads itself) or
   * "none" (stored bytes as is).
   */
  readonly concurrency: "threads" | "workers" | "inline" | "none";
  /** The compressor, for decoding in a worker. */
  readonly spec: CompressorSpec | null;
  /** What decodes, for the read path: "C Blosc-LZ4 (addon)", "node:zlib", "none". */
  readonly label: string;
  /** Threads one chunk's decode uses (the addon spreads a Blosc frame's blocks); absent: 1. */
  readonly threadsPerChunk?: number;
  /** Why the addon's C decoder is not used although it covers this codec (a fallback); absent when it is, or when none exists. */
  readonly nativeMissing?: string;
  /** Chunks decoded so far by a slower decoder than the one planned (frames the C decoder declined). */
  readonly declined?: () => number;
  /**
   * Decodes `encoded`; may write into `scratch` (chunk-sized, owned by the caller for this call)
   * and return it, or return another buffer. The result must be the chunk's size.
   */
  decode(encoded: Uint8Array, scratch: Uint8Array): Uint8Array | Promise<Uint8Array>;
}

/** A compressor as named in metadata: `id` (v2 `compressor`) or `name` (v3 codec) plus its settings. */
export interface CompressorSpec {
  readonly id: string;
  readonly config: Record<string, unknown>;
}

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);

/**
 * node:zlib's output piece size for a chunk of `bytes`: the whole chunk in one piece. With the
 * default (16 KiB) a 1 MiB chunk comes back in 64 pieces, each a round trip between the thread pool
 * and this thread, then concatenated: several times the time of one piece, which is what made
 * point reads of gzip chunks slower than zarr-python's in `npm run bench:engines`.
 */
export function zlibOptions(bytes: number): zlib.ZlibOptions {
  return { chunkSize: Math.max(zlib.constants.Z_MIN_CHUNK, Math.min(bytes, MAX_ZLIB_PIECE)) };
}

/** Largest output piece asked of node:zlib: beyond it, pieces are few anyway. */
const MAX_ZLIB_PIECE = 64 * 2 ** 20;

const NONE: ChunkDecoder = { compressed: false, concurrency: "none", spec: null, label: "none", decode: (encoded) => encoded };

/**
 * The decoder for `spec` (null: no compressor), or undefined when the direct path does not cover it.
 * `native`: the addon's decoders, or null for the JS ones (default: the addon's when it has them).
 */
export function chunkDecoder(
  spec: CompressorSpec | null,
  native: NativeDecoders | null = nativeDecoders() ?? null,
  nativeMissing: string | undefined = native ? undefined : (nativeFeatureMissing("decoders") ?? "the addon's decoders were not given"),
): ChunkDecoder | undefined {
  if (spec === null) return NONE;
  switch (spec.id) {
    case "gzip":
      return {
        compressed: true,
        concurrency: "threads",
        spec,
        label: "node:zlib gunzip",
        decode: (encoded, scratch) => gunzip(encoded, zlibOptions(scratch.length)),
      };
    case "zlib":
      return {
        compressed: true,
        concurrency: "threads",
        spec,
        label: "node:zlib inflate",
        decode: (encoded, scratch) => inflate(encoded, zlibOptions(scratch.length)),
      };
    case "lz4":
      if (native)
        return {
          compressed: true,
          concurrency: "inline",
          spec,
          label: "C LZ4 (addon)",
          decode: (encoded, scratch) => scratch.subarray(0, native.lz4(encoded, scratch)),
        };
      return {
        compressed: true,
        concurrency: "workers",
        spec,
        label: "LZ4 in JavaScript (lz4-blosc.ts)",
        nativeMissing,
        decode: (encoded, scratch) => scratch.subarray(0, decodeNumcodecsLz4(encoded, scratch)),
      };
    case "blosc":
      return native ? nativeBloscDecoder(spec, native) : bloscDecoder(spec, nativeMissing!);
    case "zstd": {
      if (native)
        return {
          compressed: true,
          concurrency: "inline",
          spec,
          label: "libzstd (addon)",
          decode: (encoded, scratch) => scratch.subarray(0, native.zstd(encoded, scratch)),
        };
      const codec = Zstd.fromConfig({ id: "zstd", level: 1 }) as unknown as { decode(b: Uint8Array): Promise<Uint8Array> };
      return { compressed: true, concurrency: "workers", spec, label: "numcodecs.js Zstd (WASM)", decode: (encoded) => codec.decode(encoded) };
    }
    default:
      return undefined;
  }
}

/**
 * One block of shuffled bytes at a time, shared by every blosc decoder of this thread (decoding is
 * synchronous, so they never use it at once): a fresh reader does not touch fresh memory for it.
 */
let bloscTmp = new Uint8Array(0);

/** numcodecs.js, for the frames the direct decoders do not cover. */
function bloscFallback(): { decode(b: Uint8Array): Promise<Uint8Array> } {
  // The settings only matter for encoding: decoding reads them from each frame's header.
  return Blosc.fromConfig({ id: "blosc", cname: "lz4", clevel: 5, shuffle: 1, blocksize: 0 }) as unknown as {
    decode(b: Uint8Array): Promise<Uint8Array>;
  };
}

/** What the addon's Blosc decoder finds inside the frames it covers, as reports name it. */
export const BLOSC_INNER: Record<string, string> = { lz4: "LZ4", zstd: "zstd", blosclz: "BloscLZ" };

/**
 * Whether the Blosc frames of a compressor hold what the direct decoders cover (LZ4, zstd or
 * BloscLZ inside, any shuffle), judged from its metadata; each frame's own header decides in the end.
 */
export function bloscCovered(config: Record<string, unknown>): boolean {
  return typeof config.cname === "string" && Object.hasOwn(BLOSC_INNER, config.cname);
}

/** Bit shuffle in a Blosc codec's configuration: 2 in Zarr v2 (numcodecs), "bitshuffle" in v3. */
function bitShuffled(config: Record<string, unknown>): boolean {
  return config.shuffle === 2 || config.shuffle === "bitshuffle";
}

function nativeBloscDecoder(spec: CompressorSpec, native: NativeDecoders): ChunkDecoder {
  const fallback = bloscFallback();
  const threads = readerThreads(availableParallelism());
  const covered = bloscCovered(spec.config);
  let declined = 0;
  return {
    compressed: true,
    concurrency: "inline",
    spec,
    label: covered
      ? `C Blosc-${BLOSC_INNER[spec.config.cname as string]} (addon)${bitShuffled(spec.config) ? `, ${bitUnshuffleKernels()?.inUse ?? "portable"} bit unshuffle` : ""}`
      : "numcodecs.js Blosc (WASM): the addon decodes Blosc with LZ4, zstd or BloscLZ inside only",
    threadsPerChunk: covered ? threads : 1,
    declined: () => (covered ? declined : 0),
    decode(encoded, scratch) {
      const n = native.blosc(encoded, scratch, threads);
      if (n >= 0) return scratch.subarray(0, n);
      declined++;
      return fallback.decode(encoded);
    },
  };
}

function bloscDecoder(spec: CompressorSpec, nativeMissing: string): ChunkDecoder {
  const fallback = bloscFallback();
  const covered = bloscCovered(spec.config);
  let declined = 0;
  return {
    compressed: true,
    concurrency: "workers",
    spec,
    label: covered ? "Blosc-LZ4 in JavaScript (lz4-blosc.ts)" : "numcodecs.js Blosc (WASM)",
    nativeMissing: covered ? nativeMissing : undefined,
    declined: () => (covered ? declined : 0),
    decode(encoded, scratch) {
      const blocksize = encoded.length >= 12 ? (encoded[8] | (encoded[9] << 8) | (encoded[10] << 16) | (encoded[11] << 24)) >>> 0 : 0;
      // A frame's blocks are at most its chunk (decodeBlosc checks the rest).
      if (bloscTmp.length < blocksize) bloscTmp = new Uint8Array(Math.min(blocksize, scratch.length));
      const n = decodeBlosc(encoded, scratch, bloscTmp);
      if (n >= 0) return scratch.subarray(0, n);
      declined++;
      return fallback.decode(encoded);
    },
  };
}
