/**
 * The article suite's vocabulary: a claim of "Loading NumPy arrays from disk: mmap() vs. Zarr/HDF5"
 * as one module (claims/NN-name.ts) with its citation, its prediction, the number measured here,
 * and a verdict decided by a pure rule written next to it. The page (page.ts) is built from these
 * and nothing else: no verdict is written by hand.
 */
import type { TopLevelSpec } from "vega-lite";
import type { ResultsFile } from "../run/results-types.ts";
import type { MemoryProbe } from "./memory-types.ts";

/** The article every claim cites. */
export const ARTICLE = {
  title: "Loading NumPy arrays from disk: mmap() vs. Zarr/HDF5",
  author: "Itamar Turner-Trauring",
  site: "pythonspeed.com",
  url: "https://pythonspeed.com/articles/mmap-vs-zarr-hdf5/",
} as const;

export const VERDICTS = ["holds", "holds with a caveat", "does not hold here"] as const;
export type Verdict = (typeof VERDICTS)[number];

/** A rule's decision and the reason in words, numbers included. */
export interface Judgement {
  readonly verdict: Verdict;
  readonly because: string;
}

/** A measured number with its interval (95% bootstrap unless the claim says otherwise). */
export interface Interval {
  readonly value: number;
  readonly low: number;
  readonly high: number;
}

/** What a claim predicts, as a number where first principles give one, with the working. */
export interface Prediction {
  readonly value: number;
  /** The claim predicts a floor, not a value: "≥ 10×". */
  readonly atLeast?: boolean;
  readonly unit: string;
  readonly working: string;
}

/** What a claim measured: its headline number with interval, in words, plus supporting lines. */
export interface Measurement {
  readonly label: string;
  readonly interval: Interval;
  readonly unit: string;
  readonly details: readonly string[];
}

/** Measurements a claim makes in its own way, beside the run's results file. */
export interface Extras {
  readonly memory?: MemoryProbe;
  /** Why the memory probe has no figures, when it ran and failed. */
  readonly memoryProblem?: string;
}

/** The dimension a claim waits for before it can be measured. */
export type Needs = "storage" | "readers";

/** Everything the page says about one claim, once judged. */
export type ClaimOutcome =
  | {
      readonly status: "measured";
      readonly prediction: Prediction;
      readonly measurement: Measurement;
      readonly judgement: Judgement;
      readonly chart: TopLevelSpec;
    }
  | { readonly status: "not measured"; readonly reason: string };

/**
 * One claim. `assess` reads the results (and extras) and either judges the claim or says why it
 * cannot be measured here; it is pure, so the page can be rebuilt from a stored results file.
 */
export interface Claim {
  /** "04-column-vs-row": the scenario's and the chart's file name. */
  readonly id: string;
  readonly number: number;
  readonly title: string;
  /** The article's section the claim comes from. */
  readonly section: string;
  /** The claim in our own words. */
  readonly claim: string;
  /** The scenario file that measures it (relative to the repository), or null until one can. */
  readonly scenario: string | null;
  /** The case dimension the claim needs and that does not exist yet. */
  readonly needs?: Needs;
  /** The verdict rule in words, thresholds included. */
  readonly rule: string;
  assess(results: ResultsFile, extras: Extras): ClaimOutcome;
}
