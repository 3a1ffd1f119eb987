/**
 * Comparing two cases: the ratio of their medians with a bootstrap interval, and a verdict.
 * A ratio (not a difference) because timings of different patterns differ by orders of
 * magnitude and "1.8× slower" reads the same at every scale.
 */
import { type BootstrapOptions, bootstrapSettings, percentileInterval, resampleMedians, resamplePairedMedians } from "./bootstrap.ts";
import { createRng } from "./prng.ts";
import { assertSample, summarize } from "./summary.ts";

/** "faster": the candidate's median time is lower, with confidence; "tie": the CI contains 1. */
export type Verdict = "faster" | "slower" | "tie";

export interface Comparison {
  /** median(candidate) / median(baseline): below 1 means the candidate takes less time. */
  readonly ratio: number;
  readonly low: number;
  readonly high: number;
  readonly confidence: number;
  readonly verdict: Verdict;
}

/** The verdict for a ratio interval of times: "tie" when [low, high] contains 1. */
export function verdictOf(low: number, high: number): Verdict {
  if (high < 1) return "faster";
  if (low > 1) return "slower";
  return "tie";
}

/**
 * Ratio of paired bootstrap distributions, element by element: numerator[b] / denominator[b].
 * Both must have the same length.
 */
export function ratioDistribution(numerator: Float64Array, denominator: Float64Array): Float64Array {
  if (numerator.length !== denominator.length) throw new RangeError("ratioDistribution: lengths differ");
  return numerator.map((v, i) => v / denominator[i]);
}

/** Round (or block) labels of each side's values, and whether the two sides' labels pair up. */
export interface SampleGroups {
  readonly candidate?: readonly unknown[];
  readonly baseline?: readonly unknown[];
  /**
   * The runs were measured alternately in the same blocks and each label is a block: the blocks
   * are resampled together (see resamplePairedMedians). Otherwise the runs are independent.
   */
  readonly paired?: boolean;
}

/**
 * Compares the median times of `candidate` and `baseline` (e.g. per-sample milliseconds).
 * Each is resampled independently (they are independent runs), in two stages where `groups`
 * labels each value's round (see resampleMedians), or block by block for runs measured
 * alternately (`groups.paired`); the ratio's percentile interval gives the verdict.
 * Invariants: each has at least 2 values, all finite; baseline values are > 0 (a ratio needs a
 * non-zero denominator). Deterministic for a seed. Cost: O(resamples × n log n).
 */
export function compareMedians(
  candidate: readonly number[],
  baseline: readonly number[],
  options: BootstrapOptions = {},
  groups: SampleGroups = {},
): Comparison {
  const { seed, resamples, confidence } = bootstrapSettings(options);
  assertSample(candidate, 2, "compare (candidate)");
  assertSample(baseline, 2, "compare (baseline)");
  if (baseline.some((v) => v <= 0)) throw new RangeError("compare (baseline): values must be > 0");
  const rng = createRng(seed);
  const paired =
    groups.paired && groups.candidate && groups.baseline ? resamplePairedMedians(candidate, groups.candidate, baseline, groups.baseline, resamples, rng) : null;
  const a = paired?.a ?? resampleMedians(candidate, resamples, rng, groups.candidate);
  const b = paired?.b ?? resampleMedians(baseline, resamples, rng, groups.baseline);
  const { low, high } = percentileInterval(ratioDistribution(a, b), confidence);
  const ratio = summarize(candidate).median / summarize(baseline).median;
  return { ratio, low, high, confidence, verdict: verdictOf(low, high) };
}
