/**
 * The scenario checks with the backends' layout checks and the access patterns' shape checks
 * plugged in: what scenario/check.ts, which imports neither, cannot know by itself.
 */
import { expandPattern, patternProblem } from "../access/patterns.ts";
import { backendFor } from "../backends/registry.ts";
import { itemSize } from "../core/dtype.ts";
import { checkScenario as checkPure, type Problem, type ScenarioChecks } from "../scenario/check.ts";
import type { Positions } from "../scenario/partial.ts";
import type { Scenario } from "../scenario/types.ts";

const CHECKS: ScenarioChecks = {
  layout: (layout, dataset) => backendFor(layout).check(layout, dataset),
  pattern: (pattern, dataset) => patternProblem(pattern, dataset.shape, itemSize(dataset.dtype)),
  write: (layout) => backendFor(layout).writeProblem?.(layout),
  // Only asked for partitioned readers, of patterns the pattern check found valid.
  selections: (pattern, dataset) =>
    patternProblem(pattern, dataset.shape, itemSize(dataset.dtype))
      ? Number.POSITIVE_INFINITY
      : expandPattern(pattern, dataset.shape, itemSize(dataset.dtype)).length,
  remote: (layout) => backendFor(layout).remoteProblem?.(layout),
};

/** Every problem of a resolved scenario, schema aside (see scenario/check.ts). */
export function checkScenario(scenario: Scenario, positions?: Positions): Problem[] {
  return checkPure(scenario, CHECKS, positions);
}
