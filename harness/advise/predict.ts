/**
 * What a pattern's selections cost in a chunk shape, from first principles: the chunks each one
 * touches (per axis, the chunks its slice hits, as the Zarr reader computes them) and the bytes
 * those chunks hold uncompressed (a chunked reader decodes whole chunks, edge chunks included);
 * and, for a contiguous C-order file, the 4 KiB pages its byte runs touch. Pure.
 */
import { chunksHit, selectionRuns } from "../access/byte-ranges.ts";
import { elementCount, type Selection, selectionShape } from "../core/selection.ts";

/** Totals over a list of selections. */
export interface Cost {
  readonly selections: number;
  /** Chunks (or pages) touched, summed over the selections. */
  readonly units: number;
  /** Bytes read: every touched chunk or page in full. */
  readonly bytesRead: number;
  /** Bytes the selections ask for. */
  readonly bytesRequested: number;
}

export const PAGE_BYTES = 4096;

/** Chunks of `chunk` that `sel` touches. */
export function chunksTouched(sel: Selection, chunk: readonly number[]): number {
  let n = 1;
  for (let a = 0; a < sel.length; a++) n *= chunksHit(sel[a], chunk[a]).length;
  return n;
}

/** The cost of `selections` on an array stored in chunks of `chunk`. */
export function chunkedCost(selections: readonly Selection[], chunk: readonly number[], itemBytes: number): Cost {
  const chunkBytes = elementCount(chunk) * itemBytes;
  let units = 0;
  let requested = 0;
  for (const sel of selections) {
    units += chunksTouched(sel, chunk);
    requested += elementCount(selectionShape(sel)) * itemBytes;
  }
  return { selections: selections.length, units, bytesRead: units * chunkBytes, bytesRequested: requested };
}

/** The cost of `selections` on a contiguous C-order array: the distinct pages each one's byte runs touch. */
export function contiguousCost(selections: readonly Selection[], shape: readonly number[], itemBytes: number): Cost | null {
  let units = 0;
  let requested = 0;
  for (const sel of selections) {
    const runs = selectionRuns(sel, shape, itemBytes, "C", 0);
    if (!runs) return null;
    let lastPage = -1;
    for (const r of runs) {
      const first = Math.max(Math.floor(r.offset / PAGE_BYTES), lastPage + 1);
      const last = Math.floor((r.offset + r.length - 1) / PAGE_BYTES);
      if (last >= first) units += last - first + 1;
      lastPage = Math.max(lastPage, last);
    }
    requested += elementCount(selectionShape(sel)) * itemBytes;
  }
  return { selections: selections.length, units, bytesRead: units * PAGE_BYTES, bytesRequested: requested };
}
