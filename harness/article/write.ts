/**
 * The one place the article page is written: judges every claim, renders each measured claim's
 * chart to SVG, writes the page, and the HTML report of the same results beside the charts.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { chartToSvg } from "../report/render-chart.ts";
import { writeReports } from "../report/writer.ts";
import type { ResultsFile } from "../run/results-types.ts";
import { CLAIMS } from "./claims/index.ts";
import { renderArticlePage } from "./page.ts";
import type { ClaimOutcome, Extras } from "./types.ts";

export interface ArticleOutput {
  /** Folder of the page: DIR/article.md, charts and report in DIR/article/. */
  readonly outDir: string;
  readonly resultsPath: string;
  readonly command: string;
  readonly rebuild: string;
}

/** Every claim's outcome, in page order. */
export function judgeAll(results: ResultsFile, extras: Extras): { id: string; outcome: ClaimOutcome }[] {
  return CLAIMS.map((c) => ({ id: c.id, outcome: c.assess(results, extras) }));
}

/** Writes the page, its charts and the HTML report; returns the written paths. */
export async function writeArticle(results: ResultsFile, extras: Extras, out: ArticleOutput): Promise<string[]> {
  const assets = join(out.outDir, "article");
  mkdirSync(assets, { recursive: true });
  const written: string[] = [];
  const claims = [];
  for (const claim of CLAIMS) {
    const outcome = claim.assess(results, extras);
    let chart: string | null = null;
    if (outcome.status === "measured") {
      const path = join(assets, `${claim.id}.svg`);
      writeFileSync(path, await chartToSvg(outcome.chart));
      written.push(path);
      chart = `article/${claim.id}.svg`;
    }
    claims.push({ claim, outcome, chart });
  }
  written.push(...(await writeReports(results, ["html"], assets)));
  const page = join(out.outDir, "article.md");
  const link = (path: string) => relative(dirname(page), path).split("\\").join("/");
  writeFileSync(
    page,
    renderArticlePage({
      claims,
      results,
      command: out.command,
      rebuild: out.rebuild,
      report: "article/report.html",
      resultsFile: link(out.resultsPath),
    }),
  );
  written.unshift(page);
  return written;
}
