/**
 * How much of a set of files sits in the page cache, via mincore on a temporary read-only mapping
 * (which faults nothing in). Cold samples record this just before the timed read, so a failed
 * eviction shows up in the results instead of silently producing warm numbers.
 */
import { closeSync, fstatSync, openSync } from "node:fs";
import { mincore, pageSize } from "../native/index.ts";

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
