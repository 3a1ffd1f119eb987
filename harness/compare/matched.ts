/**
 * A comparison that matched no case compares nothing: every case is "added" or "removed", which
 * `--fail-on regressed` would pass. A renamed scenario, dataset or layout does exactly this (case
 * ids are scenario/dataset/layout/pattern/cache), so it is an error, not a green gate.
 */
import type { Comparison } from "./model.ts";

/** Cases present in both files. */
export function sharedCases(c: Comparison): number {
  return c.cases.length - c.counts.added - c.counts.removed;
}

/** The one-line error when the files share no case; null when they share one or more. */
export function noSharedCaseMessage(c: Comparison, command: string): string | null {
  if (sharedCases(c) > 0) return null;
  return (
    `layoutbench ${command}: ${c.baseline.path} and ${c.current.path} share no case ` +
    `(${c.counts.removed} only in the baseline, ${c.counts.added} only in the current run), so nothing was compared; ` +
    "case ids are scenario/dataset/layout/pattern/cache: compare runs of the same scenario, or save a new baseline after a rename"
  );
}
