/**
 * The ONE place that writes report files. Renderers return strings and buffers; this writes
 * them under one folder and returns the paths it wrote.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ResultsFile } from "../run/results-types.ts";
import { buildCharts } from "./charts/index.ts";
import type { ReportFormat } from "./formats.ts";
import { renderHtml } from "./html.ts";
import { renderJson } from "./json.ts";
import { renderMarkdown } from "./markdown.ts";
import { buildReportModel, type ReportOptions } from "./model.ts";
import { chartToSvg, svgToPng } from "./render-chart.ts";

export { REPORT_FORMATS, type ReportFormat } from "./formats.ts";

/**
 * Renders `results` in each of `formats` into `outDir` (created if missing): report.md (with the
 * Pareto chart of each dataset as pareto-DATASET.svg beside it), report.html, report.json, and
 * for svg/png one file per chart named by its id (e.g. throughput-image.svg). Returns the
 * written paths in that order.
 */
export async function writeReports(results: ResultsFile, formats: readonly ReportFormat[], outDir: string, options: ReportOptions = {}): Promise<string[]> {
  const model = buildReportModel(results, options);
  const written: string[] = [];
  mkdirSync(outDir, { recursive: true });
  const write = (name: string, data: string | Buffer) => {
    const path = join(outDir, name);
    writeFileSync(path, data);
    written.push(path);
  };
  if (formats.includes("md")) {
    // The Pareto chart is the one the verdict leans on: Markdown shows it as an image beside the report.
    const pareto = buildCharts(model).filter((c) => c.kind === "pareto");
    write("report.md", renderMarkdown(model, { paretoImages: new Map(pareto.map((c) => [c.dataset, `${c.id}.svg`])) }));
    for (const chart of pareto) write(`${chart.id}.svg`, await chartToSvg(chart.spec));
  }
  if (formats.includes("html")) write("report.html", renderHtml(model));
  if (formats.includes("json")) write("report.json", renderJson(model));
  if (formats.includes("svg") || formats.includes("png")) {
    for (const chart of buildCharts(model)) {
      const svg = await chartToSvg(chart.spec);
      if (formats.includes("svg") && !written.includes(join(outDir, `${chart.id}.svg`))) write(`${chart.id}.svg`, svg);
      if (formats.includes("png")) write(`${chart.id}.png`, svgToPng(svg));
    }
  }
  return written;
}
