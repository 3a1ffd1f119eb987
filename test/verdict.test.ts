/**
 * The verdict: the decision sentence, its reasons and what would change it, from fixed results
 * (the report fixture, and a copy of it with a near-twin of one layout that ties with it); the
 * Pareto front; warnings grouped by kind with the option that fixes them.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { consoleTable } from "../harness/report/console-table.ts";
import { buildReportModel } from "../harness/report/model.ts";
import { datasetPareto, paretoFront } from "../harness/report/pareto.ts";
import { groupTable } from "../harness/report/table.ts";
import { groupWarnings, warningGroupLine } from "../harness/report/warning-groups.ts";
import type { CaseResult, ResultsFile } from "../harness/run/results-types.ts";
import { WARNINGS } from "../harness/run/warnings.ts";

const FIXTURE = new URL("./fixtures/results-small.json", import.meta.url);
const load = (): ResultsFile => JSON.parse(readFileSync(FIXTURE, "utf8"));

/** The fixture reduced to zarr-256 and a twin 1% slower and 4 MiB smaller: a tie both ways. */
function withTwin(): ResultsFile {
  const r = load();
  const base = r.cases.filter((c) => c.layout.name === "zarr-256");
  const twin = base.map(
    (c): CaseResult => ({
      ...c,
      id: c.id.replace("zarr-256", "zarr-256-small"),
      layout: { ...c.layout, name: "zarr-256-small" },
      samples: c.samples.map((s) => ({ ...s, ms: s.ms * 1.01 })),
      storage: { ...c.storage!, bytesOnDisk: c.storage!.bytesOnDisk - 4 * 2 ** 20 },
    }),
  );
  return { ...r, cases: [...base, ...twin] };
}

describe("verdict", () => {
  test("a clear win: decision, the two numbers that decide, what would change it", () => {
    const v = buildReportModel(load()).datasets[0].verdict;
    assert.equal(
      v.decision,
      "Use zarr-256 for image: the lowest expected cost for rows ×2, columns ×1, tiles ×3, full ×0.5 in the cold and warm cache, read by layoutbench's own readers.",
    );
    assert.equal(
      v.why,
      "zarr-256 costs 843 ms (95% CI 822–920 ms) per round of the workload; the runner-up, npy-random, costs 1.14× as much (95% CI 1.02–1.19×).",
    );
    assert.deepEqual(v.changes, [
      "warm cache only: use npy-random (zarr-256 costs 17.7× as much, 95% CI 16.6–19.6×).",
      "only rows: use npy-random (zarr-rows costs 7.33× as much, 95% CI 6.90–8.21×).",
      "only full: use zarr-rows (zarr-256 costs 1.27× as much, 95% CI 1.22–1.49×).",
      "Unchanged: cold cache only, only columns, only tiles.",
    ]);
  });

  test("a statistical tie is a decision: either, and the smaller one on disk", () => {
    const v = buildReportModel(withTwin()).datasets[0].verdict;
    assert.equal(
      v.decision,
      "Use either zarr-256 or zarr-256-small for image: a statistical tie on expected cost for rows ×2, columns ×1, tiles ×3, full ×0.5 in the cold and warm cache, read by layoutbench's own readers; zarr-256-small is smaller on disk (21.6 MiB vs 25.6 MiB).",
    );
    assert.match(
      v.why,
      /^zarr-256 costs 843 ms \(95% CI 822–920 ms\) per round of the workload; zarr-256-small costs 1\.01× as much \(95% CI 0\.\d+–1\.\d+×\), an interval that contains 1\.$/,
    );
    // The twin is the same layout, slower by 1% everywhere: no weighting separates them.
    assert.deepEqual(v.changes, ["Nothing tried changes it: cold cache only, warm cache only, only rows, only columns, only tiles, only full."]);
  });

  test("a recommendation restricted by the scenario is re-weighed with the cache states it left out", () => {
    const r = { ...load() };
    r.scenarios = [{ ...r.scenarios[0], recommendation: { ...r.scenarios[0].recommendation, cache: ["warm"] } }];
    const v = buildReportModel(r).datasets[0].verdict;
    assert.match(v.decision, /^Use npy-random for image: the lowest expected cost for .* in the warm cache,/);
    assert.equal(v.changes[0].split(":")[0], "cold cache only");
    assert.ok(
      v.changes.some((c) => c.startsWith("cold and warm cache weighed together: use zarr-256 ")),
      v.changes.join("\n"),
    );
  });
});

describe("figures that mean nothing show as a dash, with a legend", () => {
  /** The fixture with its columns pattern turned into point reads. */
  const withPoints = (): ResultsFile => {
    const r = load();
    return { ...r, cases: r.cases.map((c) => (c.pattern.name === "columns" ? { ...c, pattern: { ...c.pattern, kind: "points", count: 4 } as never } : c)) };
  };
  test("report tables: MB/s of point reads, amplification of warm reads", () => {
    const groups = buildReportModel(withPoints()).datasets[0].groups;
    const cell = (pattern: string, cache: string, column: string) => {
      const t = groupTable(groups.find((g) => g.pattern.name === pattern && g.cache === cache)!, 0.95);
      return { values: t.rows.map((r) => r[t.columns.findIndex((c) => c.title === column)]), legend: t.legend };
    };
    assert.deepEqual(cell("columns", "cold", "Throughput"), {
      values: ["—", "—", "—", "—"],
      legend: "— not meaningful here: throughput of point reads (a few bytes each: the time is latency).",
    });
    assert.deepEqual(cell("rows", "warm", "Read ampl.").values, ["—", "—", "—", "—"]);
    assert.equal(cell("rows", "cold", "Read ampl.").legend, undefined);
    assert.ok(!cell("rows", "cold", "Read ampl.").values.includes("—"));
  });
  test("the console table of run", () => {
    const lines = consoleTable(withPoints()).split("\n");
    const row = (layout: string, pattern: string, cache: string) =>
      lines
        .find((l) => new RegExp(`^image +${layout} +${pattern} +${cache} `).test(l))!
        .trim()
        .split(/ {2,}/);
    // dataset, layout, pattern, cache, median, IQR, throughput, read, amplif., n, status
    assert.equal(row("npy-random", "columns", "cold")[6], "—");
    assert.equal(row("npy-random", "rows", "warm")[8], "—");
    assert.notEqual(row("npy-random", "rows", "cold")[8], "—");
    assert.equal(lines.at(-1), "—: not meaningful (MB/s of point reads, amplification of warm reads)");
  });
});

describe("Pareto front", () => {
  test("exact members: nothing else is both at most as large and at most as costly", () => {
    const points = [
      { layout: "a", bytesOnDisk: 10, costMs: 50 },
      { layout: "b", bytesOnDisk: 20, costMs: 30 },
      { layout: "c", bytesOnDisk: 30, costMs: 30 }, // as costly as b and larger
      { layout: "d", bytesOnDisk: 40, costMs: 10 },
      { layout: "e", bytesOnDisk: 40, costMs: 60 }, // beaten by a, b and d
      { layout: "f", bytesOnDisk: 10, costMs: 50 }, // a's twin: neither beats the other
    ];
    assert.deepEqual(
      paretoFront(points)
        .filter((p) => p.onFront)
        .map((p) => p.layout),
      ["a", "b", "d", "f"],
    );
  });

  test("of the fixture: zarr-rows (smallest) and zarr-256 (cheapest); npy-random is beaten on both", () => {
    const front = datasetPareto(buildReportModel(load()).datasets[0]);
    assert.deepEqual(
      front.map((p) => [p.layout, p.onFront]),
      [
        ["zarr-rows", true],
        ["zarr-256", true],
        ["npy-random", false],
      ],
    );
  });
});

describe("warnings grouped", () => {
  test("one group per kind, in order of first appearance, with the count, the cases and the fix", () => {
    const scope = (s: string) => ({ caseId: s, scope: s, message: `m ${s}` });
    const groups = groupWarnings([
      { caseId: null, scope: "run", code: "eviction-unverified", message: "m run" },
      { ...scope("a"), code: "noisy" },
      { ...scope("b"), code: "noisy" },
      { ...scope("a"), code: "few-samples" },
      { ...scope("c"), code: "noisy" },
    ]);
    assert.deepEqual(
      groups.map((g) => [g.code, g.scopes]),
      [
        ["eviction-unverified", ["run"]],
        ["noisy", ["a", "b", "c"]],
        ["few-samples", ["a"]],
      ],
    );
    assert.equal(
      warningGroupLine(groups[1]),
      "noisy (3 cases): the median's confidence interval is wide. Fix: raise sampling.samples, spread them with sampling.rounds (or --rounds), or lengthen warm samples with sampling.minSampleMs.",
    );
    assert.match(warningGroupLine(groups[0]), /^eviction-unverified \(the run\): .* Fix: .*--cache/);
  });

  test("every remedy in the catalogue names a flag, a scenario key, a command or an environment variable", () => {
    const names = /(--[a-z][a-z-]+|\b[a-z]+\.[a-zA-Z]+\b|\b[a-z]+: |layoutbench [a-z]+|\b[A-Z][A-Z_]{4,}\b|apt-get install)/;
    for (const [code, entry] of Object.entries(WARNINGS)) assert.match(entry.remedy, names, code);
  });
});
