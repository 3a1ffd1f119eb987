/**
 * Read paths across time: a session, a case over its rounds and a merged alternation keep the
 * latest path, with every fallback any earlier reader or round took (a fallback anywhere marks the
 * case). Pure.
 */
import type { ReadPath } from "./types.ts";

/** The latest read path, keeping every fallback of the earlier one. */
export function mergeReadPaths(earlier: ReadPath | undefined, latest: ReadPath | undefined): ReadPath | undefined {
  if (!latest || !earlier) return latest ?? earlier;
  return { ...latest, fallbacks: [...new Set([...earlier.fallbacks, ...latest.fallbacks])] };
}
