/**
 * Decode-only speed D of a layout's codec: the dataset's chunks generated, encoded with the layout's
 * codec and then decoded in memory by the decoder its remote reads use, timed alone (no file, no
 * copy into the result). For unsharded Zarr that is our chunk reader's (chunk-decoders.ts: the
 * addon's C decoders, node:zlib), the same as local reads'; for sharded Zarr zarr.get's
 * (createByteCodec's). HDF5 chunks are decoded by libhdf5's filters inside h5wasm, which this does
 * not time (null). The warm local read of the same layout (the report's D) adds copying the stored
 * bytes from the page cache and the decoded ones into the result.
 */

import { chunkDecoder } from "../backends/zarr/chunk-decoders.ts";
import { createByteCodec, v2Compressor } from "../backends/zarr/codecs.ts";
import { allocate, itemSize } from "../core/dtype.ts";
import { elementCount, slice } from "../core/selection.ts";
import { fillRegion } from "../data/generate.ts";
import type { DatasetSpec, LayoutSpec } from "../scenario/types.ts";

/** Chunks decoded per measurement at most (the speed of a few is the speed of all). */
const MAX_CHUNKS = 16;
const REPEATS = 5;

/** What decodes a layout's chunks on its remote read path: name and a decode function; undefined when not timed here. */
function remoteDecoder(dataset: DatasetSpec, layout: LayoutSpec): { label: string; decode(encoded: Uint8Array, scratch: Uint8Array): unknown } | undefined {
  if (layout.backend !== "zarr") return undefined;
  if (layout.shards !== null) {
    const codec = createByteCodec(layout.codec, dataset.dtype);
    return { label: "zarr.get's codec", decode: (encoded) => codec.decode(encoded) };
  }
  const compressor = v2Compressor(layout.codec);
  return chunkDecoder(compressor === null ? null : { id: String(compressor.id), config: compressor });
}

/** The decoder `decodeOnlySpeed` times for a layout, as the read path names it; undefined when it times none. */
export function decodeOnlyDecoder(dataset: DatasetSpec, layout: LayoutSpec): string | undefined {
  return layout.backend !== "memmap" && layout.chunks && layout.codec.name !== "none" ? remoteDecoder(dataset, layout)?.label : undefined;
}

/**
 * Logical bytes decoded per second (median of REPEATS); Infinity when the layout stores raw bytes;
 * null for layouts without chunks and for chunks this does not decode (HDF5's).
 */
export async function decodeOnlySpeed(dataset: DatasetSpec, layout: LayoutSpec): Promise<number | null> {
  if (layout.backend === "memmap" || !layout.chunks) return null;
  if (layout.codec.name === "none") return Number.POSITIVE_INFINITY;
  const decoder = remoteDecoder(dataset, layout);
  if (!decoder) return null;
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
  const times: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const start = process.hrtime.bigint();
    for (const e of encoded) await decoder.decode(e, scratch);
    times.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  times.sort((a, b) => a - b);
  return logical / times[Math.floor(REPEATS / 2)];
}
