/**
 * How much of a set of files sits in the page cache, via mincore on a temporary read-only mapping
 * (which faults nothing in). Cold samples record this just before the timed read, so a failed
 * eviction shows up in the results instead of silently producing warm numbers.
 */
import { closeSync, fstatSync, openSync } from "node:fs";
import type { FileRange } from "../access/byte-ranges.ts";
import { mincore, mincorePages, pageSize } from "../native/index.ts";

export interface Residency {
  readonly residentPages: number;
  readonly totalPages: number;
  /** residentPages / totalPages; 0 when there are no pages at all. */
  readonly fraction: number;
}

/** Resident and total pages over all `paths` (each file rounded up to whole pages). */
export function residency(paths: readonly string[]): Residency {
  const page = pageSize();
  let residentPages = 0;
  let totalPages = 0;
  for (const path of paths) {
    const fd = openSync(path, "r");
    try {
      const size = fstatSync(fd).size;
      totalPages += Math.ceil(size / page);
      if (size > 0) residentPages += mincore(fd, size);
    } finally {
      closeSync(fd);
    }
  }
  return { residentPages, totalPages, fraction: totalPages === 0 ? 0 : residentPages / totalPages };
}

/**
 * Resident and total pages of exactly the pages `ranges` touch (each page counted once), so a
 * cold sample can be flagged when any byte it is about to read is already cached.
 */
export function rangeResidency(ranges: readonly FileRange[]): Residency {
  const page = pageSize();
  const byFile = new Map<string, FileRange[]>();
  for (const r of ranges) {
    const list = byFile.get(r.file);
    if (list) list.push(r);
    else byFile.set(r.file, [r]);
  }
  let residentPages = 0;
  let totalPages = 0;
  for (const [path, list] of byFile) {
    const fd = openSync(path, "r");
    try {
      const size = fstatSync(fd).size;
      const end = (r: FileRange) => Math.min(size, r.length === undefined ? size : r.offset + r.length);
      // A loop, not Math.max(...): a column pattern on a tall array makes hundreds of thousands of ranges.
      let upTo = 0;
      for (const r of list) upTo = Math.max(upTo, end(r));
      const resident = mincorePages(fd, upTo);
      const seen = new Uint8Array(resident.length);
      for (const r of list) {
        for (let p = Math.floor(r.offset / page), last = Math.ceil(end(r) / page); p < last; p++) {
          if (seen[p]) continue;
          seen[p] = 1;
          totalPages++;
          residentPages += resident[p];
        }
      }
    } finally {
      closeSync(fd);
    }
  }
  return { residentPages, totalPages, fraction: totalPages === 0 ? 0 : residentPages / totalPages };
}
