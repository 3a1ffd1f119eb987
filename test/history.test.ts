/**
 * Published histories, pure parts: `--to` destinations, run file names, appending to the index,
 * the points and charts `report --history` draws.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { UserError } from "../harness/core/errors.ts";
import { parseDestination } from "../harness/publish/destination.ts";
import { historyChart } from "../harness/report/charts/history.ts";
import type { CaseResult, ResultsFile } from "../harness/run/results-types.ts";
import { appendRun, emptyIndex, historyCharts, historyPoints, parseIndex, runFileName } from "../harness/shard/history.ts";

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof UserError, String(err));
    return err.lines.join("\n");
  }
  assert.fail("expected an error");
}

function caseOf(id: string, ms: number[], over: Partial<CaseResult> = {}): CaseResult {
  const [scenario, , layout, pattern, cache] = id.split("/");
  return {
    id,
    scenario,
    layout: { name: layout },
    pattern: { name: pattern },
    cache,
    status: "ok",
    samples: ms.map((v) => ({ ms: v })),
    warnings: [],
    ...over,
  } as unknown as CaseResult;
}

function run(startedAt: string, cases: CaseResult[], planId = "p".repeat(64)): ResultsFile {
  return { startedAt, finishedAt: startedAt, scenarios: [{ name: "s" }], plan: { id: planId }, cases } as unknown as ResultsFile;
}

describe("--to", () => {
  test("folders, git branches with and without a path, s3", () => {
    assert.deepEqual(parseDestination("reports/history"), { kind: "dir", dir: "reports/history" });
    assert.deepEqual(parseDestination("git:bench-history"), { kind: "git", branch: "bench-history", path: "" });
    assert.deepEqual(parseDestination("git:bench/data:runs/ci/"), { kind: "git", branch: "bench/data", path: "runs/ci" });
    assert.deepEqual(parseDestination("s3://bench-results/layoutbench/history"), { kind: "s3", bucket: "bench-results", prefix: "layoutbench/history" });
  });
  test("one-line errors", () => {
    assert.equal(
      errorOf(() => parseDestination("git:-x")),
      'layoutbench publish: --to "git:-x": expected git:BRANCH[:PATH] with a valid branch name, e.g. git:bench-history:runs',
    );
    assert.equal(
      errorOf(() => parseDestination("git:b:../up")),
      'layoutbench publish: --to "git:b:../up": PATH must be a folder inside the branch, without . or ..',
    );
    assert.equal(
      errorOf(() => parseDestination("s3://A_B")),
      'layoutbench publish: --to "s3://A_B": expected s3://BUCKET[/PREFIX] with a valid bucket name',
    );
    assert.equal(
      errorOf(() => parseDestination("ftp://x/y")),
      'layoutbench publish: --to "ftp://x/y": unknown destination (allowed: a folder, git:BRANCH[:PATH], s3://BUCKET/PREFIX)',
    );
  });
});

describe("the index", () => {
  test("file names: start time and commit, numbered when taken", () => {
    const c = "0123456789abcdef0123456789abcdef01234567";
    assert.equal(runFileName("2026-12-07T15:24:59.209Z", c, new Set()), "runs/20261207T152459Z-0123456789ab.json");
    assert.equal(runFileName("2026-12-07T15:24:59.209Z", c, new Set(["runs/20261207T152459Z-0123456789ab.json"])), "runs/20261207T152459Z-0123456789ab-2.json");
    assert.equal(runFileName("2026-12-07T15:24:59Z", null, new Set()), "runs/20261207T152459Z-nocommit.json");
  });
  test("append keeps runs in start order and refuses the same run twice", () => {
    const first = appendRun(emptyIndex(), run("2026-01-02T00:00:00Z", [caseOf("s/d/a/p/cold", [1, 2])]), "aaaa", "2026-01-03T00:00:00Z");
    assert.deepEqual(first.entry, {
      file: "runs/20260102T000000Z-aaaa.json",
      commit: "aaaa",
      startedAt: "2026-01-02T00:00:00Z",
      publishedAt: "2026-01-03T00:00:00Z",
      planId: "p".repeat(64),
      scenarios: ["s"],
      cases: 1,
      machines: [],
    });
    const second = appendRun(first.index, run("2026-01-01T00:00:00Z", []), "bbbb", "2026-01-04T00:00:00Z");
    assert.deepEqual(
      second.index.runs.map((r) => r.commit),
      ["bbbb", "aaaa"],
    );
    assert.equal(
      errorOf(() => appendRun(second.index, run("2026-01-02T00:00:00Z", []), "aaaa", "x")),
      "layoutbench publish: this run (started 2026-01-02T00:00:00Z, commit aaaa) is already published as runs/20260102T000000Z-aaaa.json",
    );
    // The same start and commit from another plan is another run.
    assert.equal(appendRun(second.index, run("2026-01-02T00:00:00Z", [], "q".repeat(64)), "aaaa", "x").entry.file, "runs/20260102T000000Z-aaaa-2.json");
  });
  test("an index of another kind or version is refused", () => {
    assert.equal(
      errorOf(() => parseIndex({ kind: "x" }, "h/index.json")),
      'h/index.json: not a layoutbench history index (expected "kind": "layoutbench-history")',
    );
    assert.equal(
      errorOf(() => parseIndex({ kind: "layoutbench-history", version: 9, runs: [] }, "h/index.json")),
      "h/index.json: history index version 9; this layoutbench reads version 1",
    );
  });
});

describe("history points and charts", () => {
  const a = appendRun(emptyIndex(), run("2026-01-01T00:00:00Z", []), "a".repeat(40), "x").entry;
  const b = { ...a, startedAt: "2026-01-02T10:30:00Z", commit: "b".repeat(40) };
  const runs = [
    {
      entry: a,
      results: run(a.startedAt, [
        caseOf("s/d/npy/rows/cold", [3, 1, 2]),
        caseOf("s/d/zarr/rows/cold", [5, 5]),
        caseOf("s/d/npy/full/warm", [1, 1, 1], { status: "failed" }),
      ]),
    },
    { entry: b, results: run(b.startedAt, [caseOf("s/d/npy/rows/cold", [4]), caseOf("s/d/zarr/rows/warm", [2, 2, 2], { engine: "zarrita" })]) },
  ];
  const points = historyPoints(runs);
  test("one point per ok case per run: the median inside its interval", () => {
    assert.deepEqual(
      points.map((p) => [p.run, p.layout, p.pattern, p.cache, p.medianMs]),
      [
        [0, "npy", "rows", "cold", 2],
        [0, "zarr", "rows", "cold", 5],
        [1, "npy", "rows", "cold", 4],
        [1, "zarr@zarrita", "rows", "warm", 2],
      ],
    );
    for (const p of points) assert.ok(p.lowMs <= p.medianMs && p.medianMs <= p.highMs);
    // A single sample has no spread to resample: its interval is the point.
    assert.deepEqual([points[2].lowMs, points[2].highMs], [4, 4]);
    assert.equal(points[2].runLabel, "2026-01-02 10:30 bbbbbbb");
  });
  test("one chart per scenario and pattern, a line per layout, a panel per cache state", () => {
    const charts = historyCharts(points);
    assert.deepEqual(
      charts.map((c) => [c.key, c.points.length]),
      [["s/rows", 4]],
    );
    const spec = historyChart(charts[0].key, charts[0].points) as unknown as {
      facet: { column: { field: string } };
      spec: { encoding: { color: { field: string }; x: { sort: string[] } }; layer: { mark: { type: string } }[] };
      data: { values: unknown[] };
    };
    assert.equal(spec.facet.column.field, "cache");
    assert.equal(spec.spec.encoding.color.field, "layout");
    assert.deepEqual(spec.spec.encoding.x.sort, ["2026-01-01 00:00 aaaaaaa", "2026-01-02 10:30 bbbbbbb"]);
    assert.deepEqual(
      spec.spec.layer.map((l) => l.mark.type),
      ["area", "line"],
    );
    assert.equal(spec.data.values.length, 4);
  });
});
