/**
 * GitHub-flavoured Markdown that fits a PR comment: title, recommendation, then the detailed
 * tables and the context folded in <details> blocks, then every warning.
 */

import type { ReportModel } from "./model-types.ts";
import { crossoverTable } from "./remote-section.ts";
import { candidatesTable, contextTable, groupTable, groupTitle, layoutsTable, type Table } from "./table.ts";

/**
 * Makes user text inert in Markdown: backslash-escapes the characters that start emphasis,
 * code, links or table cells, and those that start a block (heading, list, quote) at the
 * beginning; writes <, > and & as entities so no HTML gets through (GitHub renders inline
 * HTML); entities also work inside the <details> blocks. Newlines become spaces.
 * Parentheses stay: with [ and ] escaped they cannot form a link.
 */
function escapeMarkdown(text: string): string {
  return text
    .replace(/[\r\n]+/g, " ")
    .replace(/[\\`*_{}[\]|~]/g, (ch) => `\\${ch}`)
    .replace(/^(#{1,6}|[+-]|=+)(?=\s|$)/, "\\$1")
    .replace(/^(\d+)([.)])(?=\s|$)/, "$1\\$2")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;");
}

function markdownTable(table: Table): string {
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  return [
    line(table.columns.map((c) => escapeMarkdown(c.title))),
    line(table.columns.map((c) => (c.align === "right" ? "---:" : ":---"))),
    ...table.rows.map((row, i) =>
      line(
        row.map((cell, j) => {
          const text = escapeMarkdown(cell);
          return table.kinds[i] === "best" && j <= 1 ? `**${text}**` : text;
        }),
      ),
    ),
  ].join("\n");
}

function details(summary: string, body: string): string {
  // Blank lines around the body let GitHub render Markdown inside the HTML block.
  return `<details>\n<summary>${summary}</summary>\n\n${body}\n\n</details>`;
}

/** The report as GitHub-flavoured Markdown. */
export function renderMarkdown(model: ReportModel): string {
  const confidence = model.statistics.confidence;
  const out: string[] = [`# ${escapeMarkdown(model.title)}`, ""];
  for (const s of model.scenarios) {
    if (s.description) out.push(`${escapeMarkdown(s.description)}`, "");
  }
  const failed = model.counts.failed ? `, **${model.counts.failed} failed**` : "";
  out.push(
    `${model.counts.cases} cases (${model.counts.ok} ok${failed}), ${model.warnings.length} warning${model.warnings.length === 1 ? "" : "s"}.${model.finishedAt === null ? " **The run did not finish.**" : ""}`,
    "",
  );

  for (const d of model.datasets) {
    const heading = model.datasets.length > 1 || model.scenarios.length > 1 ? `${d.scenario} / ${d.name}` : d.name;
    out.push(`## Recommendation: ${escapeMarkdown(heading)} (${d.shape.join("×")} ${d.dtype})`, "");
    out.push(`**${escapeMarkdown(d.recommendation.headline)}**`, "");
    for (const fact of d.recommendation.facts) out.push(`- ${escapeMarkdown(fact)}`);
    if (d.recommendation.facts.length) out.push("");
    if (d.recommendation.candidates.length || d.recommendation.excluded.length) {
      out.push(markdownTable(candidatesTable(d.recommendation, confidence)), "");
    }
    out.push(markdownTable(layoutsTable(d)), "");
    const tables = d.groups.map((g) => `#### ${escapeMarkdown(groupTitle(g))}\n\n${markdownTable(groupTable(g, confidence))}`);
    out.push(details(`Results by pattern and cache state: ${escapeMarkdown(d.name)} (${d.groups.length} tables)`, tables.join("\n\n")), "");
  }

  if (model.remote) {
    out.push("## Remote storage", "", markdownTable(model.remote.cases), "");
    if (model.remote.crossovers.length) {
      out.push(
        "Crossover bandwidth: below it the layout reads faster than the least compressed one; the model is t = S/(r·B) + S/D with D the warm local read speed of the same layout and pattern, measured from fits of t = a/B + c.",
        "",
        markdownTable(crossoverTable(model.remote)),
        "",
      );
    }
  }
  out.push(details("Run context", markdownTable(contextTable(model))), "");
  out.push("## Warnings", "");
  if (model.warnings.length === 0) out.push("None.");
  for (const w of model.warnings) out.push(`- **${escapeMarkdown(w.scope)}** (${escapeMarkdown(w.code)}): ${escapeMarkdown(w.message)}`);
  out.push("");
  return out.join("\n");
}
