/**
 * The comparison as an aligned console table: counts, differences between the runs, then one row
 * per case (regressions first). Pure: returns the text.
 */
import { formatFactor, formatInterval, formatMs } from "../report/format.ts";
import { REGRESSION_CLASSES } from "../stats/regression.ts";
import { describeDifference } from "./compatibility.ts";
import type { ComparedCase, Comparison } from "./model.ts";

/** "2 regressed, 1 improved, 25 unchanged" — classes with a count of 0 left out. */
export function countsLine(comparison: Comparison): string {
  const parts = REGRESSION_CLASSES.filter((c) => comparison.counts[c] > 0).map((c) => `${comparison.counts[c]} ${c}`);
  return parts.length ? parts.join(", ") : "no cases";
}

/** The cells every tabular renderer shows for a case, formatted. */
export function caseCells(c: ComparedCase): { baseline: string; current: string; ratio: string; interval: string; threshold: string } {
  const v = c.verdict;
  return {
    baseline: c.baseline ? formatMs(c.baseline.medianMs) : "–",
    current: c.current ? formatMs(c.current.medianMs) : "–",
    ratio: "ratio" in v ? formatFactor(v.ratio) : "–",
    interval: "ratio" in v ? formatInterval(v.low, v.high, formatFactor) : "–",
    threshold: formatThreshold(v.threshold),
  };
}

/** A threshold as a percentage: 0.1 → "10%", 0.125 → "12.5%". */
function formatThreshold(t: number): string {
  return `${Number((t * 100).toPrecision(3))}%`;
}

/** The rule in one sentence, for every renderer's footer. */
export function ruleSentence(comparison: Comparison): string {
  const { rule, defaultThreshold } = comparison;
  const stages =
    comparison.pairedBlocks !== null
      ? ` paired two-stage (the ${comparison.pairedBlocks} blocks measured alternately, drawn together for both runs, then samples)`
      : " two-stage (rounds, then samples)";
  const level = `${Math.round(rule.confidence * 100)}%${rule.resample === "rounds" ? stages : ""}`;
  const overrides = comparison.overrides.map((o) => `; ${o.pattern}: ${formatThreshold(o.threshold)}`).join("");
  const thresholds = `threshold ${formatThreshold(defaultThreshold)}${overrides}`;
  if (rule.thresholdOn === "bound" && rule.test === "bootstrap") {
    return `regressed: the whole ${level} bootstrap CI of median(current)/median(baseline) lies above 1 + threshold; improved: below 1/(1 + threshold) (${thresholds})`;
  }
  const test =
    rule.test === "bootstrap"
      ? `the ${level} bootstrap CI of median(current)/median(baseline) excludes 1`
      : `a Mann-Whitney U test gives p < ${Number((1 - rule.confidence).toPrecision(2))}`;
  const beyond = rule.thresholdOn === "bound" ? "the whole CI" : "the ratio of medians";
  return `regressed/improved: ${test} and ${beyond} lies above 1 + threshold / below 1/(1 + threshold) (${thresholds})`;
}

export function comparisonTable(comparison: Comparison): string {
  const lines = [
    `baseline: ${comparison.baseline.path} (${comparison.baseline.startedAt}, ${comparison.baseline.machine})`,
    `current:  ${comparison.current.path} (${comparison.current.startedAt}, ${comparison.current.machine})`,
  ];
  for (const d of comparison.differences) lines.push(`${d.severity === "refuse" ? "MISMATCH" : "warning"}: ${describeDifference(d)}`);
  const header = ["change", "case", "baseline", "current", "ratio", `${Math.round(comparison.rule.confidence * 100)}% CI`, "threshold", "note"];
  const rows = comparison.cases.map((c) => {
    const cells = caseCells(c);
    const note = c.verdict.class === "unchanged" ? "" : c.verdict.note;
    return [c.verdict.class, c.id, cells.baseline, cells.current, cells.ratio, cells.interval, cells.threshold, note];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const numeric = new Set([2, 3, 4, 5, 6]);
  const line = (r: readonly string[]) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : numeric.has(i) ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  lines.push("", line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line), "");
  lines.push(countsLine(comparison), ruleSentence(comparison));
  return lines.join("\n");
}
