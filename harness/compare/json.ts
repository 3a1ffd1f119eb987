/**
 * The comparison as JSON for other tools: the view model as it is, with a kind and a version so
 * a reader can refuse what it does not understand. Pure.
 */
import type { Comparison } from "./model.ts";

const COMPARISON_KIND = "layoutbench-comparison";
const COMPARISON_VERSION = 1;

export function comparisonJson(comparison: Comparison): string {
  return JSON.stringify({ kind: COMPARISON_KIND, version: COMPARISON_VERSION, ...comparison }, null, 2) + "\n";
}
