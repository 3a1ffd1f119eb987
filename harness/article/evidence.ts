/**
 * Reading a claim's evidence out of a results file: its cases by layout, pattern and cache, and
 * ratios between two cases' samples with bootstrap intervals (the same statistics as `compare`).
 */
import type { CaseResult, ResultsFile, Sample } from "../run/results-types.ts";
import { DEFAULT_SEED, medianCI } from "../stats/bootstrap.ts";
import { compareMedians } from "../stats/compare.ts";
import { deriveSeed } from "../stats/prng.ts";
import type { Interval } from "./types.ts";

/** Thrown when a claim's case is missing or failed: the claim is then reported as not measured. */
export class MissingEvidence extends Error {}

/** The finished case of `scenario` with this layout, pattern and cache state. */
export function caseOf(results: ResultsFile, scenario: string, layout: string, pattern: string, cache: string): CaseResult {
  const found = results.cases.find((c) => c.scenario === scenario && c.layout.name === layout && c.pattern.name === pattern && c.cache === cache);
  if (!found) throw new MissingEvidence(`no case ${scenario}/${layout}/${pattern}/${cache} in the results`);
  if (found.status !== "ok" || !found.summary) throw new MissingEvidence(`case ${found.id} failed: ${found.error ?? "no summary"}`);
  if (found.samples.length < 2) throw new MissingEvidence(`case ${found.id} has ${found.samples.length} sample; an interval needs 2`);
  return found;
}

/** True when the results hold any case of `scenario`. */
export function hasScenario(results: ResultsFile, scenario: string): boolean {
  return results.cases.some((c) => c.scenario === scenario);
}

const rounds = (c: CaseResult) => (c.samples.every((s) => s.round !== undefined) ? c.samples.map((s) => s.round) : undefined);

/**
 * median(field of `top`) ÷ median(field of `bottom`) with its 95% bootstrap interval, resampled
 * by round as `compare` does. Seeded by the two case ids, so a page rebuilt from the same results
 * file shows the same intervals.
 */
export function ratioOfCases(top: CaseResult, bottom: CaseResult, field: (s: Sample) => number = (s) => s.ms): Interval {
  const a = top.samples.map(field);
  const b = bottom.samples.map(field);
  if (b.some((v) => !(v > 0))) throw new MissingEvidence(`case ${bottom.id}: a ratio needs values above 0`);
  const c = compareMedians(a, b, { seed: deriveSeed(DEFAULT_SEED, "article", top.id, bottom.id) }, { candidate: rounds(top), baseline: rounds(bottom) });
  return { value: c.ratio, low: c.low, high: c.high };
}

/** The median of per-item values with its 95% bootstrap interval, seeded by `key`. */
export function medianInterval(values: readonly number[], key: string): Interval {
  const ci = medianCI(values, { seed: deriveSeed(DEFAULT_SEED, "article", key) });
  return { value: ci.estimate, low: ci.low, high: ci.high };
}

/** `value` lies in [low, high] of the interval (inclusive). */
export const within = (x: number, low: number, high: number): boolean => x >= low && x <= high;

/**
 * The finished case of `scenario` that `pick` chooses, for claims whose cases differ in storage or
 * readers as well (`what` names it in the reason when it is missing).
 */
export function caseWhere(results: ResultsFile, scenario: string, what: string, pick: (c: CaseResult) => boolean): CaseResult {
  const found = results.cases.find((c) => c.scenario === scenario && pick(c));
  if (!found) throw new MissingEvidence(`no case of ${scenario} with ${what} in the results`);
  if (found.status !== "ok" || !found.summary) throw new MissingEvidence(`case ${found.id} failed: ${found.error ?? "no summary"}`);
  if (found.samples.length < 2) throw new MissingEvidence(`case ${found.id} has ${found.samples.length} sample; an interval needs 2`);
  return found;
}
