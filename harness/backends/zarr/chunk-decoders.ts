/**
 * Chunk decoders for the direct read path (chunk-reader.ts): one per compressor a regular Zarr array
 * may name, each built once per reader and reused for every chunk (no codec state carries decoded
 * data between chunks). Choices, each measured with harness/bench/read-paths.ts:
 * - gzip / zlib: node:zlib's async functions, which run on libuv's thread pool, so chunks read at
 *   once also decode at once on several cores (zarrita's DecompressionStream path is ~2.5× slower).
 * - blosc (LZ4 inside, byte shuffle or none) and numcodecs `lz4`: the plain-JS decoders in
 *   lz4-blosc.ts, straight into a reused buffer; other blosc frames and zstd go through numcodecs.js.
 *   A read of several such chunks runs these decoders in worker threads (decode-pool.ts).
 */
import { promisify } from "node:util";
import * as zlib from "node:zlib";
import Blosc from "numcodecs/blosc";
import Zstd from "numcodecs/zstd";
import { decodeBlosc, decodeNumcodecsLz4 } from "./lz4-blosc.ts";

/** Stored chunk bytes → the chunk's raw bytes (C order, little-endian, the full chunk shape). */
export interface ChunkDecoder {
  /** False for "none": the stored bytes are the chunk. */
  readonly compressed: boolean;
  /**
   * How a read decodes several chunks at once: "threads" (node:zlib, on libuv's thread pool),
   * "workers" (decode-pool.ts runs this decoder in worker threads) or "none" (stored bytes as is).
   */
  readonly concurrency: "threads" | "workers" | "none";
  /** The compressor, for decoding in a worker. */
  readonly spec: CompressorSpec | null;
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

const NONE: ChunkDecoder = { compressed: false, concurrency: "none", spec: null, decode: (encoded) => encoded };

/** The decoder for `spec` (null: no compressor), or undefined when the direct path does not cover it. */
export function chunkDecoder(spec: CompressorSpec | null): ChunkDecoder | undefined {
  if (spec === null) return NONE;
  switch (spec.id) {
    case "gzip":
      return { compressed: true, concurrency: "threads", spec, decode: (encoded) => gunzip(encoded) };
    case "zlib":
      return { compressed: true, concurrency: "threads", spec, decode: (encoded) => inflate(encoded) };
    case "lz4":
      return {
        compressed: true,
        concurrency: "workers",
        spec,
        decode: (encoded, scratch) => scratch.subarray(0, decodeNumcodecsLz4(encoded, scratch)),
      };
    case "blosc":
      return bloscDecoder(spec);
    case "zstd": {
      const codec = Zstd.fromConfig({ id: "zstd", level: 1 }) as unknown as { decode(b: Uint8Array): Promise<Uint8Array> };
      return { compressed: true, concurrency: "workers", spec, decode: (encoded) => codec.decode(encoded) };
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

function bloscDecoder(spec: CompressorSpec): ChunkDecoder {
  // The settings only matter for encoding: decoding reads them from each frame's header.
  const fallback = Blosc.fromConfig({ id: "blosc", cname: "lz4", clevel: 5, shuffle: 1, blocksize: 0 }) as unknown as {
    decode(b: Uint8Array): Promise<Uint8Array>;
  };
  return {
    compressed: true,
    concurrency: "workers",
    spec,
    decode(encoded, scratch) {
      const blocksize = encoded.length >= 12 ? (encoded[8] | (encoded[9] << 8) | (encoded[10] << 16) | (encoded[11] << 24)) >>> 0 : 0;
      // A frame's blocks are at most its chunk (decodeBlosc checks the rest).
      if (bloscTmp.length < blocksize) bloscTmp = new Uint8Array(Math.min(blocksize, scratch.length));
      const n = decodeBlosc(encoded, scratch, bloscTmp);
      return n >= 0 ? scratch.subarray(0, n) : fallback.decode(encoded);
    },
  };
}
