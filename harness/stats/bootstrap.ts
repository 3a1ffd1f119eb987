/**
 * Seeded percentile bootstrap of the median. The median because storage timings are skewed
 * (a few slow samples from a flush or a cache miss) and the mean would follow them; percentile
 * intervals because they need no normality assumption.
 */
import { quantileSorted } from "simple-statistics";
import { createRng, type Rng } from "./prng.ts";
import { assertSample } from "./summary.ts";

export const DEFAULT_RESAMPLES = 2000;
export const DEFAULT_CONFIDENCE = 0.95;
/** Any fixed seed would do; fixing one makes reports reproducible. */
export const DEFAULT_SEED = 20240601;

export interface BootstrapOptions {
  readonly seed?: number;
  /** Number of resamples (default 2000: the CI bounds then move by well under 1% between seeds). */
  readonly resamples?: number;
  /** Coverage of the interval, in (0, 1) (default 0.95). */
  readonly confidence?: number;
}

export interface ConfidenceInterval {
  /** The statistic on the original sample. */
  readonly estimate: number;
  readonly low: number;
  readonly high: number;
  readonly confidence: number;
}

/** Options with defaults filled in, checked. */
export function bootstrapSettings(options: BootstrapOptions = {}): Required<BootstrapOptions> {
  const settings = {
    seed: options.seed ?? DEFAULT_SEED,
    resamples: options.resamples ?? DEFAULT_RESAMPLES,
    confidence: options.confidence ?? DEFAULT_CONFIDENCE,
  };
  if (!(Number.isInteger(settings.resamples) && settings.resamples >= 1)) {
    throw new RangeError(`bootstrap: resamples must be a whole number >= 1, got ${settings.resamples}`);
  }
  if (!(settings.confidence > 0 && settings.confidence < 1)) {
    throw new RangeError(`bootstrap: confidence must be in (0, 1), got ${settings.confidence}`);
  }
  return settings;
}

function medianOfSorted(sorted: Float64Array): number {
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * `resamples` medians of resamples drawn with replacement from `values`, using `rng`.
 *
 * `groups[i]` (optional) names the group value i was taken in, e.g. its round of the run. With two
 * or more groups the resampling is two-stage (a hierarchical bootstrap): draw groups with
 * replacement, then values within each drawn group. Samples of one round share that moment's
 * machine state, so they are not independent draws; resampling them one by one would make the
 * interval as narrow as if they were, and blind to the round-to-round spread.
 * Invariants: at least 2 values (one value has no sampling spread), all finite; groups, when given,
 * as long as values. Cost: O(resamples × n log n).
 */
export function resampleMedians(values: readonly number[], resamples: number, rng: Rng, groups?: readonly unknown[]): Float64Array {
  assertSample(values, 2, "bootstrap");
  const n = values.length;
  const clusters = groups ? clustersOf(values, groups) : [];
  // A resample of clusters can hold the largest one many times over.
  const scratch = new Float64Array(Math.max(n, clusters.length * Math.max(0, ...clusters.map((c) => c.length))));
  const out = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    if (clusters.length >= 2) {
      let k = 0;
      for (let g = 0; g < clusters.length; g++) {
        const cluster = clusters[Math.floor(rng() * clusters.length)];
        for (let i = 0; i < cluster.length; i++) scratch[k++] = cluster[Math.floor(rng() * cluster.length)];
      }
      out[b] = medianOfSorted(scratch.subarray(0, k).sort());
    } else {
      for (let i = 0; i < n; i++) scratch[i] = values[Math.floor(rng() * n)];
      scratch.sort();
      out[b] = medianOfSorted(scratch);
    }
  }
  return out;
}

/** Values split by group label, in order of first appearance. */
function clustersOf(values: readonly number[], groups: readonly unknown[]): number[][] {
  return [...clustersByLabel(values, groups).values()];
}

function clustersByLabel(values: readonly number[], groups: readonly unknown[]): Map<unknown, number[]> {
  if (groups.length !== values.length) throw new RangeError(`bootstrap: ${groups.length} group labels for ${values.length} values`);
  const byLabel = new Map<unknown, number[]>();
  values.forEach((v, i) => {
    const cluster = byLabel.get(groups[i]);
    if (cluster) cluster.push(v);
    else byLabel.set(groups[i], [v]);
  });
  return byLabel;
}

/**
 * Bootstrap medians of two runs measured alternately in the same blocks (`layoutbench ab`, where
 * block k of one run and block k of the other ran side by side): each resample draws blocks with
 * replacement once and uses that draw on both sides, then values within each drawn block of each
 * side. A slow spell of the machine lands on both runs' samples of a block, so drawing the blocks
 * together keeps it out of the ratio, where independent draws would count it as a difference
 * (a paired, or blocked, bootstrap). Only blocks both runs hold are used.
 * Returns null when they share fewer than 2 blocks: the caller then resamples each run alone.
 * Invariants: labels as long as their values, values finite. Cost: O(resamples × n log n).
 */
export function resamplePairedMedians(
  a: readonly number[],
  aGroups: readonly unknown[],
  b: readonly number[],
  bGroups: readonly unknown[],
  resamples: number,
  rng: Rng,
): { a: Float64Array; b: Float64Array } | null {
  const aBlocks = clustersByLabel(a, aGroups);
  const bBlocks = clustersByLabel(b, bGroups);
  const shared = [...aBlocks.keys()].filter((label) => bBlocks.has(label));
  if (shared.length < 2) return null;
  const pairs = shared.map((label) => [aBlocks.get(label)!, bBlocks.get(label)!] as const);
  const largest = (side: 0 | 1) => Math.max(...pairs.map((p) => p[side].length));
  const scratch = [new Float64Array(pairs.length * largest(0)), new Float64Array(pairs.length * largest(1))];
  const out = { a: new Float64Array(resamples), b: new Float64Array(resamples) };
  const drawn = new Int32Array(pairs.length);
  for (let r = 0; r < resamples; r++) {
    for (let g = 0; g < pairs.length; g++) drawn[g] = Math.floor(rng() * pairs.length);
    for (const side of [0, 1] as const) {
      let k = 0;
      for (const g of drawn) {
        const block = pairs[g][side];
        for (let i = 0; i < block.length; i++) scratch[side][k++] = block[Math.floor(rng() * block.length)];
      }
      (side === 0 ? out.a : out.b)[r] = medianOfSorted(scratch[side].subarray(0, k).sort());
    }
  }
  return out;
}

/**
 * The central `confidence` percentile interval of a bootstrap distribution (type-7 quantiles at
 * (1 − c)/2 and (1 + c)/2). The input is not modified.
 */
export function percentileInterval(distribution: Float64Array, confidence: number): { low: number; high: number } {
  assertSample(distribution, 1, "percentileInterval");
  const sorted = Array.from(distribution).sort((a, b) => a - b);
  const tail = (1 - confidence) / 2;
  return { low: quantileSorted(sorted, tail), high: quantileSorted(sorted, 1 - tail) };
}

/**
 * Percentile-bootstrap confidence interval of the median of `values`, deterministic for a seed;
 * two-stage when `groups` labels two or more groups (see resampleMedians). Invariants: at least 2 values, all finite. Every resample median lies in [min, max] of the
 * sample, so the interval does too; it brackets the sample median in practice (the resample
 * medians spread around it), though a percentile interval does not guarantee that.
 */
export function medianCI(values: readonly number[], options: BootstrapOptions = {}, groups?: readonly unknown[]): ConfidenceInterval {
  const { seed, resamples, confidence } = bootstrapSettings(options);
  const sorted = Float64Array.from(values).sort();
  const medians = resampleMedians(values, resamples, createRng(seed), groups);
  return { estimate: medianOfSorted(sorted), ...percentileInterval(medians, confidence), confidence };
}
