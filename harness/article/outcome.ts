/**
 * What every claim module shares: turning missing evidence into "not measured", and the number
 * formats of verdicts and the page.
 */
import { formatFactor, formatInterval } from "../report/format.ts";
import type { ResultsFile } from "../run/results-types.ts";
import { hasScenario, MissingEvidence } from "./evidence.ts";
import type { ClaimOutcome, Interval, Needs } from "./types.ts";

export const notMeasured = (reason: string): ClaimOutcome => ({ status: "not measured", reason });

/**
 * Reads a claim's evidence with `read` and presents it with `present`; a scenario absent from the
 * results, or a case missing or failed, makes the claim "not measured" with the reason.
 */
export function assessFrom<E>(results: ResultsFile, scenario: string, read: () => E, present: (e: E) => ClaimOutcome): ClaimOutcome {
  if (!hasScenario(results, scenario)) return notMeasured(`the results hold no case of ${scenario}`);
  let e: E;
  try {
    e = read();
  } catch (err) {
    if (err instanceof MissingEvidence) return notMeasured(err.message);
    throw err;
  }
  return present(e);
}

/** "3.1–4.2×": an interval of factors, in the report's number format. */
export const intervalText = (i: Interval, format: (x: number) => string = formatFactor): string => formatInterval(i.low, i.high, format);

/** The outcome of a claim whose case dimension does not exist yet. */
export const awaiting = (needs: Needs): ClaimOutcome => notMeasured(`needs the ${needs} dimension`);
