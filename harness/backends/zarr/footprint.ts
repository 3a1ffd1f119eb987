/**
 * What materializing a Zarr layout creates: one file per chunk (or shard) of the grid, every one
 * the full chunk shape even at the array's edge, the metadata file, and the folders: the array's
 * own and, for format 3 (keys `c/i/j/k`), `c` and one folder per key prefix; format 2 keys
 * (`i.j.k`) sit in the array's folder.
 */

import { itemSize } from "../../core/dtype.ts";
import { elementCount } from "../../core/selection.ts";
import type { DatasetSpec, ZarrLayout } from "../../scenario/types.ts";
import { METADATA_BYTES, maxEncodedBytes } from "../footprint.ts";
import type { StorageFootprint } from "../types.ts";
import { gridShape } from "./grid.ts";

/** Bytes per chunk in a shard's index (offset and length, uint64 each), then its crc32c. */
const SHARD_INDEX_ENTRY = 16;
const SHARD_INDEX_CHECKSUM = 4;

export function zarrFootprint(layout: ZarrLayout, dataset: DatasetSpec): StorageFootprint {
  const chunkBytes = maxEncodedBytes(layout.codec, elementCount(layout.chunks) * itemSize(dataset.dtype));
  const outer = layout.shards ?? layout.chunks;
  const grid = gridShape(dataset.shape, outer);
  let fileBytes = chunkBytes;
  if (layout.shards !== null) {
    const perShard = elementCount(layout.shards.map((s, i) => s / layout.chunks[i]));
    fileBytes = perShard * (chunkBytes + SHARD_INDEX_ENTRY) + SHARD_INDEX_CHECKSUM;
  }
  let folders = 1;
  if (layout.format === 3 && grid.length > 0 && elementCount(grid) > 0) {
    folders += 1;
    for (let a = 0, prefixes = 1; a < grid.length - 1; a++) folders += prefixes *= grid[a];
  }
  return {
    files: [
      { count: elementCount(grid), bytes: fileBytes },
      { count: 1, bytes: METADATA_BYTES },
    ],
    folders,
  };
}
