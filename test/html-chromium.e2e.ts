/**
 * Opens the HTML report of the fixture in headless Chromium and checks every chart really
 * rendered (an <svg> in each chart container) and the page's error list stayed empty. The page
 * writes vegaEmbed failures and window errors into #errors and marks <body data-charts=settled>
 * when all charts are done, so the dumped DOM says everything.
 * Skipped when Chromium is absent (Debian: apt-get install chromium).
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { buildCharts } from "../harness/report/charts/index.ts";
import { renderHtml } from "../harness/report/html.ts";
import { buildReportModel } from "../harness/report/model.ts";

const CHROMIUM = "/usr/bin/chromium";
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} not found: install it to run this test (Debian/Ubuntu: apt-get install chromium)`;
if (skip) console.log(`# skipping the browser test: ${skip}`);

test("every chart of the HTML report renders in headless Chromium", { skip, timeout: 90_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "layoutbench-chromium-"));
  try {
    const results = JSON.parse(readFileSync(new URL("./fixtures/results-small.json", import.meta.url), "utf8"));
    const model = buildReportModel(results);
    const page = join(dir, "report.html");
    writeFileSync(page, renderHtml(model));
    const { stdout: dom } = await promisify(execFile)(
      CHROMIUM,
      [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        `--user-data-dir=${join(dir, "profile")}`,
        "--virtual-time-budget=5000",
        "--dump-dom",
        pathToFileURL(page).href,
      ],
      { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
    );

    assert.match(dom, /<body[^>]*data-charts="settled"/, "the chart script did not finish");
    const errors = /<ul id="errors"[^>]*>(.*?)<\/ul>/s.exec(dom);
    assert.ok(errors, "no #errors element in the page");
    assert.equal(errors[1].trim(), "", `the page reported errors: ${errors[1]}`);
    const charts = buildCharts(model);
    assert.equal(charts.length, 6);
    for (const chart of charts) {
      const start = dom.indexOf(`id="chart-${chart.id}"`);
      assert.ok(start >= 0, `no container for ${chart.id}`);
      const container = dom.slice(start, dom.indexOf("<figcaption", start));
      assert.match(container, /<svg[\s>]/, `${chart.id} has no <svg>: it did not render`);
      assert.ok(container.includes("<text"), `${chart.id} has no text`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
