/**
 * How a pattern's selections are shared among reader processes. Pure.
 * - replicate: every reader reads every selection, in the pattern's order;
 * - partition: reader i of n reads the contiguous block [floor(i·s/n), floor((i+1)·s/n)) of the s
 *   selections, so the blocks cover every selection exactly once and differ in size by one at most.
 */
import type { ReaderSplit } from "../scenario/types.ts";

/** Indices into the pattern's selections that reader `reader` (0-based) of `readers` reads. */
export function shareOf(selections: number, readers: number, reader: number, split: ReaderSplit): number[] {
  if (!(readers >= 1 && reader >= 0 && reader < readers)) throw new RangeError(`reader ${reader} of ${readers}: expected 0 ≤ reader < readers`);
  if (split === "replicate") return Array.from({ length: selections }, (_, i) => i);
  const start = Math.floor((reader * selections) / readers);
  const stop = Math.floor(((reader + 1) * selections) / readers);
  return Array.from({ length: stop - start }, (_, i) => start + i);
}
