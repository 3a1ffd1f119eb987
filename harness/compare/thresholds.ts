/**
 * Which threshold applies to which case: one global value (`--threshold 0.1`) and overrides for
 * the cases whose id matches a pattern (`--threshold-for warm=0.25`, repeatable). A pattern
 * matches like `run --filter`: every word must appear in the case id, or `/REGEX/`. When several
 * overrides match, the last one given wins, so a general rule can be followed by exceptions.
 */
import { UserError } from "../core/errors.ts";
import { caseFilter } from "../scenario/expand.ts";

export interface ThresholdOverride {
  readonly pattern: string;
  readonly threshold: number;
  readonly matches: (id: string) => boolean;
}

export interface ThresholdPolicy {
  readonly defaultThreshold: number;
  readonly overrides: readonly ThresholdOverride[];
  /** The threshold for a case id. */
  readonly thresholdFor: (id: string) => number;
}

/** Parses a threshold written as a fraction (0.1 = 10%); `flag` names the option in errors. */
export function parseThreshold(text: string, flag: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value < 0) {
    throw new UserError(`${flag}: expected a number >= 0 (a fraction: 0.1 means 10%), got ${JSON.stringify(text)}`);
  }
  if (value >= 10) {
    throw new UserError(`${flag}: ${text} would ignore changes up to ${value + 1}×; thresholds are fractions (0.1 means 10%)`);
  }
  return value;
}

/** Parses `PATTERN=FRACTION` (split at the last `=`, so a /regex/ may contain one). */
export function parseThresholdOverride(spec: string, flag = "--threshold-for"): ThresholdOverride {
  const at = spec.lastIndexOf("=");
  const pattern = at > 0 ? spec.slice(0, at) : "";
  if (!pattern.trim()) {
    throw new UserError(`${flag}: expected PATTERN=FRACTION (e.g. warm=0.25 or /npy.*cold$/=0.2), got ${JSON.stringify(spec)}`);
  }
  const threshold = parseThreshold(spec.slice(at + 1), `${flag} ${pattern}`);
  let matches: (id: string) => boolean;
  try {
    matches = caseFilter(pattern);
  } catch (err) {
    throw new UserError(`${flag} ${pattern}: ${(err as Error).message}`);
  }
  return { pattern, threshold, matches };
}

export function thresholdPolicy(defaultThreshold: number, overrides: readonly ThresholdOverride[] = []): ThresholdPolicy {
  return {
    defaultThreshold,
    overrides,
    thresholdFor: (id) => {
      let threshold = defaultThreshold;
      for (const o of overrides) if (o.matches(id)) threshold = o.threshold;
      return threshold;
    },
  };
}
