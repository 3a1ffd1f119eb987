/**
 * ONE self-contained HTML file: tables, context and warnings as static HTML, charts drawn by
 * vega-embed from specs embedded as JSON, and the vega, vega-lite and vega-embed bundles
 * inlined, so the file opens offline from file://. Every piece of user text is escaped; specs
 * travel in <script type="application/json"> with "<" escaped so no text can close the tag.
 */
import { readFileSync } from "node:fs";
import { buildCharts, type ChartKind } from "./charts/index.ts";
import { loadVegaLibraries } from "./html-libraries.ts";
import type { DatasetView, ReportModel } from "./model-types.ts";
import { readersNotes } from "./readers.ts";
import { candidatesTable, contextTable, groupTable, groupTitle, layoutsTable, type Table } from "./table.ts";
import { groupWarnings, warningGroupLine } from "./warning-groups.ts";

export interface HtmlOptions {
  /**
   * Script sources to inline before the page's own script; default: the vega bundles. Tests
   * pass [] to snapshot the page without 1 MB of library code.
   */
  readonly libraries?: readonly string[];
}

const STYLE = readFileSync(new URL("./html.css", import.meta.url), "utf8");

const CAPTIONS: Record<ChartKind, string> = {
  pareto: "The size-vs-cost Pareto front: layouts no other layout beats on both size on disk and workload cost, with the cost's interval.",
  throughput: "Median throughput per layout; cold and warm page cache side by side.",
  distribution: "Every sample's time; spread and outliers that the median hides.",
  "chunk-heatmap": "Chunked layouts only: how each chunk shape fares on each access pattern.",
  "size-speed": "What compression buys: size on disk against the workload's expected cost.",
  amplification: "How many bytes each layout pulls from storage per byte asked for.",
  "sweep-heatmap": "A sweep's two swept fields against each other: which combination the workload favours.",
  scaling: "Reader processes and threads: the readers' aggregate throughput as they are added, with intervals.",
  bandwidth:
    "Time against bandwidth over shaped remote storage: measured medians, the model t = S/(r·B) + S/D per layout, and where compression starts to win.",
  memory: "ΣPSS of the readers, file-backed against anonymous: one shared copy against one copy per reader.",
};

/** Escapes text for HTML element content and quoted attribute values. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!);
}

/**
 * JSON that is safe inside a <script> element: "<" (and the line separators JavaScript once
 * rejected) become \u escapes, which JSON.parse reads back unchanged.
 */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/** Library code inlined in a <script>: a literal "</script" or "<!--" would end or bend it. */
function inlineScript(source: string): string {
  return `<script>${source.replace(/<\/script/gi, "<\\/script").replace(/<!--/g, "<\\!--")}</script>`;
}

function htmlTable(table: Table, className = ""): string {
  const cls = (align: string) => (align === "right" ? ' class="num"' : "");
  const head = table.columns.map((c) => `<th${cls(c.align)}>${escapeHtml(c.title)}</th>`).join("");
  const rows = table.rows.map((row, i) => {
    const cells = row.map((cell, j) => `<td${cls(table.columns[j].align)}>${escapeHtml(cell)}</td>`).join("");
    return `<tr class="${table.kinds[i]}">${cells}</tr>`;
  });
  const legend = table.legend ? `<p class="legend">${escapeHtml(table.legend)}</p>` : "";
  return `<div class="table-wrap"><table${className ? ` class="${className}"` : ""}><thead><tr>${head}</tr></thead><tbody>\n${rows.join("\n")}\n</tbody></table></div>${legend}`;
}

function datasetSection(model: ReportModel, d: DatasetView, charts: ReturnType<typeof buildCharts>): string {
  const confidence = model.statistics.confidence;
  const rec = d.recommendation;
  const heading = model.datasets.length > 1 || model.scenarios.length > 1 ? `${d.scenario} / ${d.name}` : d.name;
  const figures = charts
    .filter((c) => c.dataset === d.key)
    .map((c) => `<figure><div class="chart" id="chart-${c.id}" data-chart="${c.kind}"></div><figcaption>${escapeHtml(CAPTIONS[c.kind])}</figcaption></figure>`);
  return [
    `<section class="dataset">`,
    `<h2>Recommendation: ${escapeHtml(heading)} <span class="muted">(${escapeHtml(`${d.shape.join("×")} ${d.dtype}`)})</span></h2>`,
    `<p class="headline${rec.tie ? " tie" : ""}">${escapeHtml(d.verdict.decision)}</p>`,
    d.verdict.why ? `<p class="why"><strong>Why:</strong> ${escapeHtml(d.verdict.why)}</p>` : "",
    d.verdict.changes.length
      ? `<p class="changes"><strong>What would change it:</strong></p><ul class="changes">${d.verdict.changes.map((c) => `<li>${escapeHtml(c)}</li>`).join("")}</ul>`
      : "",
    rec.facts.length || readersNotes(d).length
      ? `<ul class="facts">${[...rec.facts, ...readersNotes(d)].map((f) => `<li>${escapeHtml(f)}</li>`).join("")}</ul>`
      : "",
    rec.candidates.length || rec.excluded.length ? htmlTable(candidatesTable(rec, confidence)) : "",
    `<h3>Layouts</h3>`,
    htmlTable(layoutsTable(d)),
    figures.length ? `<h3>Charts</h3>\n${figures.join("\n")}` : "",
    `<h3>Results by pattern and cache state</h3>`,
    ...d.groups.map((g) => `<h4>${escapeHtml(groupTitle(g))}</h4>\n${htmlTable(groupTable(g, confidence))}`),
    `</section>`,
  ]
    .filter(Boolean)
    .join("\n");
}

/** Catches load and script errors from the first moment, including in the libraries. */
const ERROR_CAPTURE = `<script>
window.__reportError = function (message) {
  var list = document.getElementById("errors");
  var item = document.createElement("li");
  item.className = "chart-error";
  item.textContent = message;
  list.appendChild(item);
  list.hidden = false;
};
window.addEventListener("error", function (e) { window.__reportError("script error: " + e.message); });
window.addEventListener("unhandledrejection", function (e) { window.__reportError("unhandled: " + (e.reason && e.reason.message || e.reason)); });
</script>`;

/** Draws every chart; marks the body when all settled so headless tests know when to look. */
const RENDER_CHARTS = `<script>
(function () {
  var charts = JSON.parse(document.getElementById("chart-specs").textContent);
  function done() { document.body.setAttribute("data-charts", "settled"); }
  if (typeof vegaEmbed !== "function") { window.__reportError("vega-embed is not loaded: charts cannot be drawn"); done(); return; }
  Promise.all(charts.map(function (c) {
    return vegaEmbed("#chart-" + c.id, c.spec, { actions: false, renderer: "svg" })
      .catch(function (err) { window.__reportError("chart " + c.id + ": " + (err && err.message || err)); });
  })).then(done);
})();
</script>`;

/** The report as one self-contained HTML page. */
export function renderHtml(model: ReportModel, options: HtmlOptions = {}): string {
  const libraries = options.libraries ?? loadVegaLibraries().map((l) => l.source);
  const charts = buildCharts(model);
  const failed = model.counts.failed ? `, <strong>${model.counts.failed} failed</strong>` : "";
  const warnings = model.warnings.length
    ? groupWarnings(model.warnings)
        .map(
          (g) =>
            `<details class="warnings"><summary>${escapeHtml(warningGroupLine(g))}</summary>\n<ul>${g.warnings.map((w) => `<li><strong>${escapeHtml(w.scope)}</strong> ${escapeHtml(w.message)}</li>`).join("\n")}</ul></details>`,
        )
        .join("\n")
    : `<p>None.</p>`;
  return [
    `<!doctype html>`,
    `<html lang="en">`,
    `<head>`,
    `<meta charset="utf-8">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<title>${escapeHtml(model.title)}</title>`,
    `<style>\n${STYLE}</style>`,
    `</head>`,
    `<body>`,
    `<ul id="errors" class="errors" hidden></ul>`,
    ERROR_CAPTURE,
    `<header>`,
    `<h1>${escapeHtml(model.title)}</h1>`,
    ...model.scenarios.filter((s) => s.description).map((s) => `<p>${escapeHtml(s.description)}</p>`),
    `<p class="meta">${model.counts.cases} cases (${model.counts.ok} ok${failed}), ${model.warnings.length} warning${model.warnings.length === 1 ? "" : "s"}${model.finishedAt === null ? ", <strong>the run did not finish</strong>" : ""}.</p>`,
    `<noscript><p>The charts need JavaScript; the tables below do not.</p></noscript>`,
    `</header>`,
    ...model.datasets.map((d) => datasetSection(model, d, charts)),
    `<section><h2>Run context</h2>\n${htmlTable(contextTable(model), "context")}</section>`,
    `<section><h2>Warnings</h2>\n${warnings}</section>`,
    `<footer>Generated by layoutbench from a run started ${escapeHtml(model.startedAt)}. Self-contained: vega, vega-lite and vega-embed are inlined.</footer>`,
    `<script type="application/json" id="chart-specs">${scriptJson(charts.map((c) => ({ id: c.id, spec: c.spec })))}</script>`,
    ...libraries.map(inlineScript),
    RENDER_CHARTS,
    `</body>`,
    `</html>`,
    "",
  ].join("\n");
}
