/**
 * D of the bandwidth model t = S/(r·B) + S/D for a remote read by our Zarr chunk reader: the
 * decode-only speed of the decoder that path uses (chunk-decoders.ts: the addon's C decoders,
 * node:zlib; the same one local reads use), measured in the run. The dataset's chunks are
 * generated, encoded with the layout's codec, then decoded in memory, timed alone: no file, no
 * network, no copy into the result, which raw pays too (docs/remote-storage.md says why this D).
 * Other paths (sharded Zarr through zarr.get, HDF5 through libhdf5's filters) get none here.
 */

import { allocate, itemSize } from "../core/dtype.ts";
import { elementCount, slice } from "../core/selection.ts";
import { fillRegion } from "../data/generate.ts";
import type { DatasetSpec, LayoutSpec } from "../scenario/types.ts";
import { chunkDecoder } from "./zarr/chunk-decoders.ts";
import { createByteCodec, v2Compressor } from "./zarr/codecs.ts";

/** A decode-only speed and what it timed. */
export interface DecodeRate {
  /** Logical bytes decoded per second (median of the repeats); null when the chunks are stored raw (nothing to decode: D = ∞). */
  readonly bytesPerSecond: number | null;
  /** The decoder timed, as read paths name it ("C Blosc-LZ4 (addon)", "none"). */
  readonly decoder: string;
}

/** Chunks decoded per measurement at most (the speed of a few is the speed of all). */
const MAX_CHUNKS = 16;
const REPEATS = 7;

/**
 * The decode-only speed of the chunk reader's decoder for `layout` (unsharded Zarr whose codec it
 * decodes), or undefined for layouts that path does not read.
 */
export async function chunkReaderDecodeRate(dataset: DatasetSpec, layout: LayoutSpec): Promise<DecodeRate | undefined> {
  if (layout.backend !== "zarr" || layout.shards !== null) return undefined;
  const compressor = v2Compressor(layout.codec);
  const decoder = chunkDecoder(compressor === null ? null : { id: String(compressor.id), config: compressor });
  if (!decoder) return undefined;
  if (!decoder.compressed) return { bytesPerSecond: null, decoder: decoder.label };
  const codec = createByteCodec(layout.codec, dataset.dtype);
  const chunks = layout.chunks;
  const grid = dataset.shape.map((n, i) => Math.ceil(n / chunks[i]));
  const encoded: Uint8Array[] = [];
  let logical = 0;
  for (let k = 0; k < Math.min(MAX_CHUNKS, elementCount(grid)); k++) {
    let rest = k;
    const sel = grid.map((g, i) => {
      const below = grid.slice(i + 1).reduce((a, b) => a * b, 1);
      const index = Math.floor(rest / below) % g;
      rest -= index * below;
      return slice(index * chunks[i], Math.min(dataset.shape[i], (index + 1) * chunks[i]));
    });
    const values = allocate(
      dataset.dtype,
      sel.reduce((a, s) => a * (s.stop - s.start), 1),
    );
    fillRegion(dataset, sel, values);
    const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    encoded.push(await codec.encode(bytes.slice()));
    logical += values.length * itemSize(dataset.dtype);
  }
  const scratch = new Uint8Array(elementCount(chunks) * itemSize(dataset.dtype));
  // One untimed pass first: the first decodes of a process run well below speed (libzstd's were 3-6x slower).
  for (const e of encoded) await decoder.decode(e, scratch);
  const times: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const start = process.hrtime.bigint();
    for (const e of encoded) await decoder.decode(e, scratch);
    times.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  times.sort((a, b) => a - b);
  return { bytesPerSecond: logical / times[Math.floor(REPEATS / 2)], decoder: decoder.label };
}
