/**
 * Chunk decoders for the direct read path (chunk-reader.ts): one per compressor a regular Zarr array
 * may name, each built once per reader and reused for every chunk (no codec state carries decoded
 * data between chunks). Choices, each measured with harness/bench/read-paths.ts:
 * - gzip / zlib: node:zlib's async functions, which run on libuv's thread pool, so chunks read at
 *   once also decode at once on several cores (zarrita's DecompressionStream path is ~2.5× slower).
 * - blosc (LZ4 inside, byte shuffle or none) and numcodecs `lz4`: the plain-JS decoders in
 *   lz4-blosc.ts, straight into a reused buffer; other blosc frames and zstd go through numcodecs.js.
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
  /** True when decoding runs off the main thread, so several chunks are worth decoding at once. */
  readonly parallel: boolean;
  /**
   * Decodes `encoded`; may write into `scratch` (chunk-sized, owned by the caller for this call)
   * and return it, or return another buffer. The result must be `chunkBytes` long.
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

const NONE: ChunkDecoder = { compressed: false, parallel: false, decode: (encoded) => encoded };

/** The decoder for `spec` (null: no compressor), or undefined when the direct path does not cover it. */
export function chunkDecoder(spec: CompressorSpec | null, chunkBytes: number): ChunkDecoder | undefined {
  if (spec === null) return NONE;
  switch (spec.id) {
    case "gzip":
      return { compressed: true, parallel: true, decode: (encoded) => gunzip(encoded) };
    case "zlib":
      return { compressed: true, parallel: true, decode: (encoded) => inflate(encoded) };
    case "lz4":
      return {
        compressed: true,
        parallel: false,
        decode: (encoded, scratch) => scratch.subarray(0, decodeNumcodecsLz4(encoded, scratch)),
      };
    case "blosc":
      return bloscDecoder(chunkBytes);
    case "zstd": {
      const codec = Zstd.fromConfig({ id: "zstd", level: 1 }) as unknown as { decode(b: Uint8Array): Promise<Uint8Array> };
      return { compressed: true, parallel: false, decode: (encoded) => codec.decode(encoded) };
    }
    default:
      return undefined;
  }
}

function bloscDecoder(chunkBytes: number): ChunkDecoder {
  // The settings only matter for encoding: decoding reads them from each frame's header.
  const fallback = Blosc.fromConfig({ id: "blosc", cname: "lz4", clevel: 5, shuffle: 1, blocksize: 0 }) as unknown as {
    decode(b: Uint8Array): Promise<Uint8Array>;
  };
  // One block of shuffled bytes at a time; blosc blocks are at most the chunk.
  let tmp = new Uint8Array(0);
  return {
    compressed: true,
    parallel: false,
    decode(encoded, scratch) {
      const blocksize = encoded.length >= 12 ? (encoded[8] | (encoded[9] << 8) | (encoded[10] << 16) | (encoded[11] << 24)) >>> 0 : 0;
      if (tmp.length < blocksize) tmp = new Uint8Array(Math.min(blocksize, Math.max(chunkBytes, 1)));
      const n = decodeBlosc(encoded, scratch, tmp);
      return n >= 0 ? scratch.subarray(0, n) : fallback.decode(encoded);
    },
  };
}
