/**
 * Figures that are computed for every case but mean nothing for some: tables show them as
 * NOT_MEANINGFUL with a legend, charts leave them out, so no one reads them as measurements.
 */
import type { CacheState } from "../scenario/types.ts";
import type { PatternView } from "./model-types.ts";

/** Shown in a table cell for a figure that means nothing there (a missing one is "–"). */
export const NOT_MEANINGFUL = "—";

/** Point reads fetch a few bytes each: their MB/s measures latency, not throughput. */
export function throughputMeaningless(pattern: Pick<PatternView, "kind">): boolean {
  return pattern.kind === "points";
}

/** A warm read takes nothing from storage: bytes read ÷ bytes asked is 0 by construction. */
export function amplificationMeaningless(cache: CacheState): boolean {
  return cache === "warm";
}

/** The legend under a table that has NOT_MEANINGFUL cells, naming why for each kind present. */
export function notMeaningfulLegend(throughput: boolean, amplification: boolean): string | null {
  const why = [
    ...(throughput ? ["throughput of point reads (a few bytes each: the time is latency)"] : []),
    ...(amplification ? ["read amplification in a warm cache (nothing is read from storage)"] : []),
  ];
  return why.length ? `${NOT_MEANINGFUL} not meaningful here: ${why.join("; ")}.` : null;
}
