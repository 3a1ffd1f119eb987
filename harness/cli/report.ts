/**
 * `layoutbench report RESULTS.json`: renders a results file as Markdown, HTML, JSON and chart
 * images. `run` calls renderDefaultReports after a run.
 */
import { existsSync } from "node:fs";
import { basename, dirname, extname, join, resolve } from "node:path";
import { UserError } from "../core/errors.ts";
import { REPORT_FORMATS, type ReportFormat } from "../report/formats.ts";
import { readResults } from "../run/results-file.ts";
import { splitByMachine } from "../shard/by-machine.ts";
import { parseCommandArgs } from "./args.ts";
import type { Command } from "./command.ts";

const DEFAULT_FORMATS: readonly ReportFormat[] = ["md", "html"];

const usage = `Usage: layoutbench report RESULTS.json [options]
       layoutbench report --history DIR|s3://BUCKET/PREFIX [--format svg,png] [--out DIR]

Renders a results file: the recommendation, tables per pattern and cache state, charts, the
run's context and every warning.

Options:
  --format LIST   comma-separated, any of ${REPORT_FORMATS.join(", ")} (default: ${DEFAULT_FORMATS.join(",")})
                  md: report.md for a pull request; html: one self-contained report.html;
                  json: report.json (the view model); svg, png: one file per chart
  --out DIR       where to write (default: a folder next to the results file, named after it;
                  with --history: DIR/charts, or history-charts for s3://)
  --history DIR   draw a published history (layoutbench publish): each case's median over the
                  runs, with its 95% interval; one chart per scenario and pattern, a line per
                  layout (formats svg and png; default both)
  -h, --help      this text`;

/** The default report folder: reports/runs/x.json → reports/runs/x/. */
function defaultReportDir(resultsPath: string): string {
  const file = resolve(resultsPath);
  return join(dirname(file), basename(file, extname(file)));
}

function parseFormats(text: string): ReportFormat[] {
  const formats = text
    .split(",")
    .map((f) => f.trim().toLowerCase())
    .filter(Boolean);
  const unknown = formats.filter((f) => !(REPORT_FORMATS as readonly string[]).includes(f));
  if (unknown.length || formats.length === 0) {
    throw new UserError(
      `layoutbench report: --format: unknown format ${JSON.stringify(unknown[0] ?? text)} (allowed: ${REPORT_FORMATS.join(", ")}, comma-separated)`,
    );
  }
  return [...new Set(formats)] as ReportFormat[];
}

/** The renderers load vega and resvg: only when a report is really written. */
async function writeReports(...args: Parameters<typeof import("../report/writer.ts").writeReports>): Promise<string[]> {
  const writer = await import("../report/writer.ts");
  return writer.writeReports(...args);
}

function load(resultsPath: string) {
  if (!existsSync(resultsPath)) throw new UserError(`${resultsPath}: no such results file`);
  return readResults(resultsPath);
}

/**
 * Writes the Markdown and HTML reports of a results file into defaultReportDir(resultsPath)
 * and returns their paths. Throws a UserError for a missing or unreadable results file.
 */
export async function renderDefaultReports(resultsPath: string): Promise<string[]> {
  return writeReportsByMachine(load(resultsPath), DEFAULT_FORMATS, defaultReportDir(resultsPath));
}

/**
 * The reports of a results file; one set per machine (in OUT/machine-ID/) when its cases were
 * sampled on several (a merged sharded run), so no ranking mixes machines.
 */
async function writeReportsByMachine(results: ReturnType<typeof readResults>, formats: readonly ReportFormat[], outDir: string): Promise<string[]> {
  const parts = splitByMachine(results);
  if (parts.length === 0) return writeReports(results, formats, outDir);
  const written: string[] = [];
  for (const part of parts) written.push(...(await writeReports(part.results, formats, join(outDir, `machine-${part.machine}`))));
  return written;
}

export const reportCommand: Command = {
  name: "report",
  summary: "render a results file as Markdown, HTML, JSON, SVG or PNG",
  usage,
  async run(args) {
    const { positionals, values } = parseCommandArgs("report", args, { format: { type: "string" }, out: { type: "string" }, history: { type: "string" } });
    if (values.help) {
      console.log(usage);
      return 0;
    }
    if (values.history !== undefined) {
      if (positionals.length > 0) throw new UserError("layoutbench report: --history DIR draws a published history; give no results file with it");
      const { reportHistory } = await import("./report-history.ts");
      for (const path of await reportHistory(values.history, values.format, values.out)) console.log(path);
      return 0;
    }
    if (positionals.length !== 1) {
      throw new UserError(`layoutbench report: give exactly one results file (got ${positionals.length}); see layoutbench report --help`);
    }
    const [resultsPath] = positionals;
    const formats = values.format === undefined ? DEFAULT_FORMATS : parseFormats(values.format);
    const results = load(resultsPath);
    const written = await writeReportsByMachine(results, formats, resolve(values.out ?? defaultReportDir(resultsPath)));
    for (const path of written) console.log(path);
    return 0;
  },
};
