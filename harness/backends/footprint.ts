/**
 * Size bounds shared by the backends' `footprint` capability: the most bytes a chunk of `n` raw
 * bytes can take once encoded, and a bound for a metadata file.
 */
import type { CodecSpec } from "../scenario/types.ts";

/** A metadata file (`.zarray`, `zarr.json`): a few hundred bytes of JSON, below one block. */
export const METADATA_BYTES = 4096;

/**
 * The most bytes `n` raw bytes take encoded with `codec`. Incompressible input grows a little:
 * LZ4 by n/255 + 16 (plus numcodecs' 4-byte size), zstd by n/256 + 64, deflate by 5 bytes per
 * 16 KiB + 18 of gzip framing, Blosc by its 16-byte header (a frame is stored raw when it would
 * grow more). One bound covers all of them.
 */
export function maxEncodedBytes(codec: CodecSpec, n: number): number {
  return codec.name === "none" ? n : n + Math.ceil(n / 255) + 64;
}
