/**
 * The warning catalogue: every code has a cause and a remedy naming what to change, the run and
 * the report say the same thing for the same condition, and no warning text is built elsewhere.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, test } from "node:test";
import { buildReportModel } from "../harness/report/model.ts";
import type { ResultsFile } from "../harness/run/results-types.ts";
import { caseWarnings, summarize } from "../harness/run/summary.ts";
import { WARNINGS, type WarningCode, warningMessage } from "../harness/run/warnings.ts";

const HARNESS = join(import.meta.dirname, "..", "harness");
const fixture = (): ResultsFile => JSON.parse(readFileSync(new URL("./fixtures/results-small.json", import.meta.url), "utf8"));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith(".ts") ? [path] : [];
  });
}

describe("warning catalogue", () => {
  test("every code's remedy names a scenario key, a flag or a command", () => {
    for (const [code, entry] of Object.entries(WARNINGS)) {
      assert.match(entry.remedy, /sampling\.\w+|--\w+|eviction: |engines: |codec: |memoryBudget: |layoutbench |LAYOUTBENCH_[A-Z_]+/, code);
      assert.ok(entry.summary.length > 0, code);
    }
  });

  test("the noisy warning names the sampling options and --rounds", () => {
    const text = warningMessage({ code: "noisy", halfWidth: 0.4 });
    assert.equal(text.split(";")[0], "the median's confidence interval reaches ±40% of it: the machine was busy or the case is too short");
    assert.match(text, /sampling\.samples/);
    assert.match(text, /--rounds/);
  });

  test("too few samples: the run's record and the report's added warning say the same", () => {
    const results = fixture();
    const c = results.cases.find((x) => x.status === "ok")!;
    const samples = c.samples.slice(0, 3);
    const fromRun = caseWarnings(samples, summarize(samples, 100), false, "read", true).find((w) => w.code === "few-samples")!;
    const short: ResultsFile = { ...results, cases: [{ ...c, samples, warnings: [] }] };
    const fromReport = buildReportModel(short).warnings.find((w) => w.code === "few-samples")!;
    assert.equal(fromReport.message, fromRun.message);
    assert.equal(
      fromRun.message,
      "only 3 samples (fewer than 5): the median and its interval are unreliable; raise sampling.samples or sampling.timeBudget (or drop --samples)",
    );
  });

  test("no warning text is built outside the catalogue", () => {
    const codes = Object.keys(WARNINGS) as WarningCode[];
    const literal = new RegExp(`code: "(${codes.join("|")})", message:`);
    const offenders = sources(HARNESS)
      .filter((f) => literal.test(readFileSync(f, "utf8")))
      .map((f) => relative(HARNESS, f));
    assert.deepEqual(offenders, []);
  });
});
