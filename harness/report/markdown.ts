/**
 * GitHub-flavoured Markdown that fits a PR comment: title, recommendation, then the detailed
 * tables and the context folded in <details> blocks, then every warning.
 */

import { formatFactor, formatMs } from "./format.ts";
import type { DatasetView, ReportModel } from "./model-types.ts";
import { sweepHeatmaps, sweepsOf } from "./sweep-heatmap.ts";
import { candidatesTable, contextTable, groupTable, groupTitle, layoutsTable, paretoTable, type Table } from "./table.ts";
import { groupWarnings, warningGroupLine } from "./warning-groups.ts";

export interface MarkdownOptions {
  /** Dataset key → image file (relative to the report) of its Pareto chart, where one was written. */
  readonly paretoImages?: ReadonlyMap<string, string>;
}

import { readersNotes } from "./readers.ts";
import { crossoverTable } from "./remote-section.ts";

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

/** Text inside <summary>, which GitHub shows as HTML, not Markdown: entities only, no backslashes. */
function escapeSummary(text: string): string {
  return text
    .replace(/[\r\n]+/g, " ")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;");
}

function markdownTable(table: Table): string {
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  const legend = table.legend ? `\n\n${escapeMarkdown(table.legend)}` : "";
  return (
    [
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
    ].join("\n") + legend
  );
}

/** Each sweep heatmap as a table: rows and columns best first, each cell its value and × the best. */
function sweepSections(d: DatasetView, sweeps: Parameters<typeof sweepHeatmaps>[1]): string[] {
  return sweepHeatmaps(d, sweeps).flatMap((h) => {
    const best = Math.min(...h.cells.filter((c) => c.value !== null).map((c) => c.value!));
    const cell = (row: string, column: string) => {
      const c = h.cells.find((x) => x.row === row && x.column === column);
      return c?.value == null ? "failed" : `${formatMs(c.value)} (${formatFactor(c.value / best)})`;
    };
    const what = h.metric === "cost" ? "expected cost of one round of the workload, lowest over the other swept fields" : `median time, ${h.cache} cache`;
    const head = `| ${escapeMarkdown(h.rowField)} ↓ ${escapeMarkdown(h.columnField)} → | ${h.columns.map(escapeMarkdown).join(" | ")} |`;
    const rule = `| :--- | ${h.columns.map(() => "---:").join(" | ")} |`;
    const rows = h.rows.map((r) => `| ${escapeMarkdown(r)} | ${h.columns.map((c) => cell(r, c)).join(" | ")} |`);
    return [
      `### Sweep: ${escapeMarkdown(h.rowField)} × ${escapeMarkdown(h.columnField)}`,
      "",
      `${what}; × the best cell; best first.`,
      "",
      head,
      rule,
      ...rows,
      "",
    ];
  });
}

function details(summary: string, body: string): string {
  // Blank lines around the body let GitHub render Markdown inside the HTML block.
  return `<details>\n<summary>${summary}</summary>\n\n${body}\n\n</details>`;
}

/** The report as GitHub-flavoured Markdown. */
export function renderMarkdown(model: ReportModel, options: MarkdownOptions = {}): string {
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
    const v = d.verdict;
    out.push(`**${escapeMarkdown(v.decision)}**`, "");
    if (v.why) out.push(`Why: ${escapeMarkdown(v.why)}`, "");
    if (v.changes.length) out.push("What would change it:", "", ...v.changes.map((c) => `- ${escapeMarkdown(c)}`), "");
    const notes = [...d.recommendation.facts, ...readersNotes(d)];
    for (const fact of notes) out.push(`- ${escapeMarkdown(fact)}`);
    if (notes.length) out.push("");
    if (d.recommendation.candidates.length || d.recommendation.excluded.length) {
      out.push(markdownTable(candidatesTable(d.recommendation, confidence)), "");
    }
    const pareto = paretoTable(d, confidence);
    if (pareto) {
      out.push("### Size vs cost", "");
      const image = options.paretoImages?.get(d.key);
      if (image) out.push(`![Size on disk vs expected workload cost: ${escapeMarkdown(d.name)}](${encodeURI(image)})`, "");
      out.push(markdownTable(pareto), "");
    }
    out.push(markdownTable(layoutsTable(d)), "");
    out.push(...sweepSections(d, sweepsOf(model, d)));
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
  for (const g of groupWarnings(model.warnings)) {
    const cases = g.warnings.map((w) => `- **${escapeMarkdown(w.scope)}**: ${escapeMarkdown(w.message)}`).join("\n");
    out.push(details(escapeSummary(warningGroupLine(g)), cases), "");
  }
  out.push("");
  return out.join("\n");
}
