/**
 * Tukey-fence outlier classification (as criterion does): a sample beyond 1.5 IQR outside the
 * quartiles is a mild outlier, beyond 3 IQR a severe one. Reported, never removed: on a
 * storage benchmark a slow sample is often the real cost (a cache miss, a flush).
 */
import { quantileSorted } from "simple-statistics";
import { assertSample, sortedCopy } from "./summary.ts";

export type OutlierClass = "low-severe" | "low-mild" | "normal" | "high-mild" | "high-severe";

/** The four fences, in the sample's unit. */
export interface TukeyFences {
  readonly lowSevere: number;
  readonly lowMild: number;
  readonly highMild: number;
  readonly highSevere: number;
}

export interface OutlierReport {
  readonly fences: TukeyFences;
  /** One class per input value, in input order. */
  readonly classes: readonly OutlierClass[];
  readonly counts: Readonly<Record<OutlierClass, number>>;
}

/** Fences from type-7 quartiles. Invariants: at least 1 value, all finite. */
export function tukeyFences(values: readonly number[]): TukeyFences {
  assertSample(values, 1, "tukeyFences");
  const sorted = sortedCopy(values);
  const q1 = quantileSorted(sorted, 0.25);
  const q3 = quantileSorted(sorted, 0.75);
  const iqr = q3 - q1;
  return { lowSevere: q1 - 3 * iqr, lowMild: q1 - 1.5 * iqr, highMild: q3 + 1.5 * iqr, highSevere: q3 + 3 * iqr };
}

/** Classifies one value; a value exactly on a fence is not beyond it. */
export function classify(value: number, fences: TukeyFences): OutlierClass {
  if (value < fences.lowSevere) return "low-severe";
  if (value < fences.lowMild) return "low-mild";
  if (value > fences.highSevere) return "high-severe";
  if (value > fences.highMild) return "high-mild";
  return "normal";
}

/** Classifies every value. Invariants: at least 1 value, all finite. */
export function classifyOutliers(values: readonly number[]): OutlierReport {
  const fences = tukeyFences(values);
  const classes = values.map((v) => classify(v, fences));
  const counts: Record<OutlierClass, number> = { "low-severe": 0, "low-mild": 0, normal: 0, "high-mild": 0, "high-severe": 0 };
  for (const c of classes) counts[c]++;
  return { fences, classes, counts };
}
