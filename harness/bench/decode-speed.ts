/**
 * Decode-only speed D of a layout's codec: the dataset's chunks generated, encoded with the layout's
 * codec and then decoded in memory, timed alone (no file, no copy into the result). The model
 * t = S/(r·B) + S/D wants this D; the warm local read of the same layout (the report's D) adds
 * reading and assembling, which makes raw look slower than free, and decodes Blosc in the addon,
 * while remote Zarr reads decode through zarr.get's codecs (createByteCodec's: numcodecs.js Blosc),
 * the ones timed here.
 */

import { createByteCodec } from "../backends/zarr/codecs.ts";
import { allocate, itemSize } from "../core/dtype.ts";
import { elementCount, slice } from "../core/selection.ts";
import { fillRegion } from "../data/generate.ts";
import type { DatasetSpec, LayoutSpec } from "../scenario/types.ts";

/** Chunks decoded per measurement at most (the speed of a few is the speed of all). */
const MAX_CHUNKS = 16;
const REPEATS = 5;

/** Logical bytes decoded per second (median of REPEATS); Infinity when the layout stores raw bytes; null for layouts without chunks. */
export async function decodeOnlySpeed(dataset: DatasetSpec, layout: LayoutSpec): Promise<number | null> {
  if (layout.backend === "memmap" || !layout.chunks) return null;
  if (layout.codec.name === "none") return Number.POSITIVE_INFINITY;
  // HDF5's gzip is zlib deflate, which the Zarr gzip codec decodes at zlib's speed too.
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
  const times: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const start = process.hrtime.bigint();
    for (const e of encoded) await codec.decode(e);
    times.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  times.sort((a, b) => a - b);
  return logical / times[Math.floor(REPEATS / 2)];
}
