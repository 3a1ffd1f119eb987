/**
 * Writes one shard file of a Zarr v3 `sharding_indexed` array. zarrita reads shards but cannot write
 * them, so we follow the spec (zarr-specs v3 codecs/sharding-indexed v1.0) ourselves:
 * the inner chunks, each encoded with the array's inner codecs, one after another from offset 0, then
 * the index: for each inner chunk in C order an (offset, nbytes) pair of little-endian uint64
 * (2^64-1 twice for a chunk that is not stored), followed by its CRC32C, little-endian. These are
 * zarr-python's defaults (`index_codecs: [bytes little, crc32c]`, `index_location: end`); zarrita
 * reads the index from the end whatever `index_location` says, so we never write it at the start.
 */
import { open } from "node:fs/promises";
import type { TypedArray } from "../../core/dtype.ts";
import type { DatasetSpec } from "../../scenario/types.ts";
import type { CodecMetadata } from "./codecs.ts";
import { chunkRegion, chunkValues, gridCoords } from "./grid.ts";

/** `index_codecs` as zarr-python writes them by default. */
export const SHARD_INDEX_CODECS: readonly CodecMetadata[] = [{ name: "bytes", configuration: { endian: "little" } }, { name: "crc32c" }];

const EMPTY = 2n ** 64n - 1n;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    // 0x82F63B78: the Castagnoli polynomial, bit-reversed.
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32C (Castagnoli) as the Zarr `crc32c` codec computes it; crc32c("123456789") = 0xE3069283. */
export function crc32c(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC32C_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** One shard to write: where, which part of the array, and how to encode its inner chunks. */
export interface ShardJob {
  readonly dataset: DatasetSpec;
  readonly path: string;
  /** Shard origin in array elements. */
  readonly origin: readonly number[];
  readonly shards: readonly number[];
  readonly chunks: readonly number[];
  /** Encodes one inner chunk's values (full inner chunk shape, C order) with the inner codecs. */
  encode(values: TypedArray): Promise<Uint8Array>;
  /** Called after each stored inner chunk with the logical bytes of the array region it covers. */
  onChunk(regionBytes: number): void;
}

/** Writes one shard, one inner chunk in memory at a time. Returns the file's size. */
export async function writeShard(job: ShardJob): Promise<number> {
  const { dataset, shards, chunks } = job;
  const counts = shards.map((n, i) => n / chunks[i]);
  const index = new BigUint64Array(2 * counts.reduce((a, b) => a * b, 1));
  const handle = await open(job.path, "w");
  try {
    let offset = 0;
    let k = 0;
    for (const inner of gridCoords(counts)) {
      const region = chunkRegion(
        inner.map((c, i) => job.origin[i] + c * chunks[i]),
        chunks,
        dataset.shape,
      );
      if (region === undefined) {
        index[2 * k] = index[2 * k + 1] = EMPTY;
      } else {
        const values = chunkValues(dataset, region, chunks);
        const bytes = await job.encode(values);
        await writeAll(handle, bytes, offset);
        index[2 * k] = BigInt(offset);
        index[2 * k + 1] = BigInt(bytes.length);
        offset += bytes.length;
        job.onChunk(region.reduce((n, s) => n * (s.stop - s.start), 1) * values.BYTES_PER_ELEMENT);
      }
      k++;
    }
    if (!LITTLE_ENDIAN) throw new Error("shard index: big-endian hosts are not supported");
    const indexBytes = new Uint8Array(index.buffer);
    const checksum = new Uint8Array(4);
    new DataView(checksum.buffer).setUint32(0, crc32c(indexBytes), true);
    await writeAll(handle, indexBytes, offset);
    await writeAll(handle, checksum, offset + indexBytes.length);
    return offset + indexBytes.length + checksum.length;
  } finally {
    await handle.close();
  }
}

async function writeAll(handle: Awaited<ReturnType<typeof open>>, bytes: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done);
    done += bytesWritten;
  }
}
