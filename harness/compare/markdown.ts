/**
 * The comparison as GitHub-flavoured Markdown, for a pull-request comment or
 * `$GITHUB_STEP_SUMMARY`: counts per class on top, then regressions, improvements, failed, added,
 * removed and insufficient cases, and the unchanged ones collapsed in a <details> block. Pure.
 */
import type { RegressionClass } from "../stats/regression.ts";
import { describeDifference } from "./compatibility.ts";
import type { ComparedCase, Comparison } from "./model.ts";
import { caseCells, ruleSentence } from "./table.ts";

const TITLES: Record<RegressionClass, string> = {
  regressed: "Regressions",
  improved: "Improvements",
  failed: "Failed",
  added: "Added",
  removed: "Removed",
  insufficient: "Too few samples to compare",
  unchanged: "Unchanged",
};

const COUNT_ORDER: readonly RegressionClass[] = ["regressed", "improved", "unchanged", "failed", "added", "removed", "insufficient"];

/** Pipes and backticks would break a table cell or a code span. */
function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

function code(text: string): string {
  return "`" + text.replace(/`/g, "'") + "`";
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

function headline(comparison: Comparison): string {
  const { regressed, improved } = comparison.counts;
  if (regressed > 0) return `${plural(regressed, "regression", "regressions")}${improved ? `, ${plural(improved, "improvement", "improvements")}` : ""}`;
  if (improved > 0) return `no regressions, ${plural(improved, "improvement", "improvements")}`;
  return "no significant changes";
}

function measuredTable(cases: readonly ComparedCase[], confidence: number, withNote: boolean): string[] {
  const head = ["case", "baseline", "current", "ratio", `${Math.round(confidence * 100)}% CI`, "threshold", ...(withNote ? ["note"] : [])];
  const rows = cases.map((c) => {
    const x = caseCells(c);
    return [code(c.id), x.baseline, x.current, x.ratio, x.interval, x.threshold, ...(withNote ? [cell(c.verdict.note)] : [])];
  });
  const align = head.map((_, i) => (i >= 1 && i <= 5 ? "---:" : "---"));
  return [`| ${head.join(" | ")} |`, `|${align.join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)];
}

function noteTable(cases: readonly ComparedCase[]): string[] {
  return ["| case | note |", "|---|---|", ...cases.map((c) => `| ${code(c.id)} | ${cell(c.verdict.note)} |`)];
}

export function comparisonMarkdown(comparison: Comparison): string {
  const out: string[] = [`### layoutbench: ${headline(comparison)}`, ""];
  out.push(`| ${COUNT_ORDER.join(" | ")} |`, `|${COUNT_ORDER.map(() => "---:").join("|")}|`);
  out.push(
    `| ${COUNT_ORDER.map((c) => (c === "regressed" && comparison.counts[c] > 0 ? `**${comparison.counts[c]}**` : String(comparison.counts[c]))).join(" | ")} |`,
    "",
  );
  out.push(
    `Baseline ${code(comparison.baseline.path)} (${comparison.baseline.startedAt}; ${cell(comparison.baseline.machine)}) → ` +
      `current ${code(comparison.current.path)} (${comparison.current.startedAt}; ${cell(comparison.current.machine)}).`,
    "",
  );
  const refusals = comparison.differences.filter((d) => d.severity === "refuse");
  const warnings = comparison.differences.filter((d) => d.severity === "warn");
  if (refusals.length) {
    out.push("> [!CAUTION]", "> The runs measured different things (compared anyway with `--allow-mismatch`):");
    for (const d of refusals) out.push(`> - ${cell(describeDifference(d))}`);
    out.push("");
  }
  if (warnings.length) {
    out.push("> [!WARNING]", "> The runs come from different machines or software; ratios include that difference:");
    for (const d of warnings) out.push(`> - ${cell(describeDifference(d))}`);
    out.push("");
  }
  for (const kind of ["regressed", "improved"] as const) {
    const cases = comparison.cases.filter((c) => c.verdict.class === kind);
    if (cases.length) out.push(`#### ${TITLES[kind]} (${cases.length})`, "", ...measuredTable(cases, comparison.rule.confidence, false), "");
  }
  for (const kind of ["failed", "added", "removed", "insufficient"] as const) {
    const cases = comparison.cases.filter((c) => c.verdict.class === kind);
    if (cases.length) out.push(`#### ${TITLES[kind]} (${cases.length})`, "", ...noteTable(cases), "");
  }
  const unchanged = comparison.cases.filter((c) => c.verdict.class === "unchanged");
  if (unchanged.length) {
    out.push(
      "<details>",
      `<summary>${plural(unchanged.length, "unchanged case", "unchanged cases")}</summary>`,
      "",
      ...measuredTable(unchanged, comparison.rule.confidence, true),
      "",
      "</details>",
      "",
    );
  }
  out.push(`<sub>Rule — ${cell(ruleSentence(comparison))}.</sub>`, "");
  return out.join("\n");
}
