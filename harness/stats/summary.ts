/**
 * Location and spread of one case's samples. Pure.
 *
 * Quantiles use linear interpolation between order statistics (Hyndman–Fan type 7), the
 * default of numpy.percentile and R's quantile, so numbers can be checked with either.
 */
import { mean, medianAbsoluteDeviation, quantileSorted } from "simple-statistics";

/** Below this many samples a median and its spread say little; reports warn. */
export const MIN_SAMPLES = 5;

/** Location and spread of a sample, all in the sample's unit (milliseconds for times). */
export interface SampleSummary {
  readonly n: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly median: number;
  /** 25th percentile (type 7). */
  readonly q1: number;
  /** 75th percentile (type 7). */
  readonly q3: number;
  /** q3 − q1. */
  readonly iqr: number;
  /** Median absolute deviation from the median, unscaled (multiply by 1.4826 to estimate σ). */
  readonly mad: number;
}

/**
 * Throws a RangeError (a bug in the caller, not a user error) unless `values` has at least
 * `minLength` entries, all finite.
 */
export function assertSample(values: ArrayLike<number>, minLength: number, what = "sample"): void {
  if (values.length < minLength) {
    throw new RangeError(`${what}: needs at least ${minLength} value(s), got ${values.length}`);
  }
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new RangeError(`${what}: value ${i} is ${values[i]} (must be finite)`);
  }
}

/** Ascending copy. */
export function sortedCopy(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/**
 * The type-7 quantile `p` ∈ [0, 1] of `values` (any order).
 * Invariants: at least 1 value, all finite. Cost: O(n log n).
 */
export function quantile(values: readonly number[], p: number): number {
  assertSample(values, 1, "quantile");
  return quantileSorted(sortedCopy(values), p);
}

/**
 * Summarizes samples (e.g. per-sample times in ms) — what the runner needs for CaseSummary's
 * median and quartiles, plus IQR and MAD.
 * Invariants: at least 1 value, all finite; the result does not depend on their order.
 */
export function summarize(samplesMs: readonly number[]): SampleSummary {
  assertSample(samplesMs, 1, "summarize");
  const sorted = sortedCopy(samplesMs);
  const q1 = quantileSorted(sorted, 0.25);
  const q3 = quantileSorted(sorted, 0.75);
  return {
    n: sorted.length,
    min: sorted[0],
    max: sorted[sorted.length - 1],
    // Summing in sorted order makes the mean bit-identical whatever order samples came in.
    mean: mean(sorted),
    median: quantileSorted(sorted, 0.5),
    q1,
    q3,
    iqr: q3 - q1,
    mad: medianAbsoluteDeviation(sorted),
  };
}
