/**
 * Warnings grouped by kind, so a report shows "noisy: 37 cases" once with the option that fixes
 * it, not 37 lines. Groups keep the order of first appearance (run-level warnings come first).
 */
import { WARNINGS } from "../run/warnings.ts";
import type { WarningCode, WarningView } from "./model-types.ts";

export interface WarningGroup {
  readonly code: WarningCode;
  /** What the warning means, from the catalogue (the code itself for a code it does not know). */
  readonly summary: string;
  /** The option or key that fixes it, from the catalogue; empty for an unknown code. */
  readonly remedy: string;
  /** Where it was raised ("run", or a case's scope), in order, each once. */
  readonly scopes: readonly string[];
  /** The full warnings of the group, for the unfolded view. */
  readonly warnings: readonly WarningView[];
}

/** Groups `warnings` by code. */
export function groupWarnings(warnings: readonly WarningView[]): WarningGroup[] {
  const byCode = new Map<WarningCode, WarningView[]>();
  for (const w of warnings) {
    const list = byCode.get(w.code);
    if (list) list.push(w);
    else byCode.set(w.code, [w]);
  }
  return [...byCode].map(([code, list]) => {
    const entry = (WARNINGS as Partial<Record<string, { summary: string; remedy: string }>>)[code];
    return { code, summary: entry?.summary ?? code, remedy: entry?.remedy ?? "", scopes: [...new Set(list.map((w) => w.scope))], warnings: list };
  });
}

/** "noisy: 3 cases (a; b; c): the median's confidence interval is wide. Fix: raise …" as plain text. */
export function warningGroupLine(group: WarningGroup): string {
  const cases = group.scopes.filter((s) => s !== "run");
  const where = [
    ...(cases.length < group.scopes.length ? ["the run"] : []),
    ...(cases.length ? [`${cases.length} case${cases.length === 1 ? "" : "s"}`] : []),
  ].join(" and ");
  const fix = group.remedy ? ` Fix: ${group.remedy}.` : "";
  return `${group.code} (${where}): ${group.summary}.${fix}`;
}
