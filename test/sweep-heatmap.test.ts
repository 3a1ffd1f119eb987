/**
 * The sweep heatmap's data model: one per swept pair of fields, each cell the lowest expected cost
 * over the other swept fields, rows and columns best first, failed layouts as empty cells; a
 * one-field sweep against the patterns; and no chart for a run without sweeps.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { buildCharts } from "../harness/report/charts/index.ts";
import { buildReportModel } from "../harness/report/model.ts";
import type { DatasetView } from "../harness/report/model-types.ts";
import { sweepHeatmaps } from "../harness/report/sweep-heatmap.ts";
import type { ResultsFile } from "../harness/run/results-types.ts";
import type { SweepInfo } from "../harness/scenario/types.ts";

const member = (chunks: string, codec: string, format: string) => ({ name: `zarr-${chunks}-${codec}-${format}`, values: { chunks, codec, format } });
const MEMBERS = ["64x64", "256x16"].flatMap((c) => ["lz4", "zstd"].flatMap((k) => ["2", "3"].map((f) => member(c, k, f))));
const SWEEP: SweepInfo = { list: "layouts", at: 0, fields: ["chunks", "codec", "format"], members: MEMBERS };
const COSTS: Record<string, number> = {
  "zarr-64x64-lz4-2": 5,
  "zarr-64x64-lz4-3": 6,
  "zarr-64x64-zstd-2": 4,
  "zarr-64x64-zstd-3": 3.5,
  "zarr-256x16-lz4-2": 2,
  "zarr-256x16-lz4-3": 2.5,
  "zarr-256x16-zstd-2": 9,
};

function dataset(): DatasetView {
  return {
    layouts: [...MEMBERS.map((m) => ({ name: m.name })), { name: "raw" }],
    recommendation: { cache: ["warm"], candidates: Object.entries(COSTS).map(([layout, costMs]) => ({ layout, costMs })) },
    groups: [],
  } as unknown as DatasetView;
}

describe("sweep heatmaps", () => {
  test("one per pair of swept fields, best first, the lowest over the third field", () => {
    const maps = sweepHeatmaps(dataset(), [SWEEP]);
    assert.deepEqual(
      maps.map((m) => `${m.rowField}×${m.columnField}`),
      ["chunks×codec", "chunks×format", "codec×format"],
    );
    const [cc] = maps;
    assert.equal(cc.metric, "cost");
    assert.deepEqual(cc.rows, ["256x16", "64x64"]);
    assert.deepEqual(cc.columns, ["lz4", "zstd"]);
    assert.deepEqual(
      cc.cells.map((c) => [c.row, c.column, c.value, c.layout]),
      [
        ["64x64", "lz4", 5, "zarr-64x64-lz4-2"],
        ["64x64", "zstd", 3.5, "zarr-64x64-zstd-3"],
        ["256x16", "lz4", 2, "zarr-256x16-lz4-2"],
        ["256x16", "zstd", 9, "zarr-256x16-zstd-2"],
      ],
    );
    // zarr-256x16-zstd-3 has no cost (failed): its cell in codec × format is empty.
    const cf = maps[2];
    assert.deepEqual(
      cf.cells.find((c) => c.row === "zstd" && c.column === "3"),
      { row: "zstd", column: "3", value: 3.5, layout: "zarr-64x64-zstd-3" },
    );
    assert.deepEqual(cf.rows, ["lz4", "zstd"]);
  });

  test("a sweep of one field: that field × pattern, median times", () => {
    const one: SweepInfo = {
      list: "layouts",
      at: 0,
      fields: ["chunks"],
      members: [
        { name: "a", values: { chunks: "8x8" } },
        { name: "b", values: { chunks: "4x16" } },
      ],
    };
    const row = (layout: string, median: number) => ({ layout, stats: { median } });
    const d = {
      layouts: [{ name: "a" }, { name: "b" }],
      recommendation: {
        cache: ["warm"],
        candidates: [
          { layout: "a", costMs: 3 },
          { layout: "b", costMs: 1 },
        ],
      },
      groups: [
        { pattern: { name: "rows" }, cache: "warm", rows: [row("a", 1), row("b", 0.5)] },
        { pattern: { name: "tiles" }, cache: "warm", rows: [row("a", 2), row("b", 0.5)] },
        { pattern: { name: "rows" }, cache: "cold", rows: [row("a", 9), row("b", 9)] },
      ],
    } as unknown as DatasetView;
    const [m] = sweepHeatmaps(d, [one]);
    assert.equal(m.metric, "median");
    assert.equal(m.cache, "warm");
    assert.deepEqual(m.rows, ["4x16", "8x8"]);
    assert.deepEqual(m.columns, ["rows", "tiles"]);
    assert.deepEqual(
      m.cells.map((c) => [c.row, c.column, c.value]),
      [
        ["8x8", "rows", 1],
        ["8x8", "tiles", 2],
        ["4x16", "rows", 0.5],
        ["4x16", "tiles", 0.5],
      ],
    );
  });

  test("a pattern sweep: its patterns × layouts, layouts by cost", () => {
    const tiles: SweepInfo = {
      list: "patterns",
      at: 0,
      fields: ["shape"],
      members: [
        { name: "t8", values: { shape: "8x8" } },
        { name: "t64", values: { shape: "64x64" } },
      ],
    };
    const row = (layout: string, median: number | null) => ({ layout, stats: median === null ? null : { median } });
    const d = {
      layouts: [{ name: "a" }, { name: "b" }],
      recommendation: {
        cache: ["warm"],
        candidates: [
          { layout: "a", costMs: 3 },
          { layout: "b", costMs: 1 },
        ],
      },
      groups: [
        { pattern: { name: "t8" }, cache: "warm", rows: [row("a", 1), row("b", 2)] },
        { pattern: { name: "t64" }, cache: "warm", rows: [row("a", 4), row("b", null)] },
      ],
    } as unknown as DatasetView;
    const [m] = sweepHeatmaps(d, [tiles]);
    assert.deepEqual([m.rowField, m.columnField, m.metric], ["shape", "layout", "median"]);
    assert.deepEqual(m.rows, ["8x8", "64x64"]);
    assert.deepEqual(m.columns, ["b", "a"]);
    assert.deepEqual(
      m.cells.map((c) => [c.row, c.column, c.value]),
      [
        ["8x8", "a", 1],
        ["8x8", "b", 2],
        ["64x64", "a", 4],
        ["64x64", "b", null],
      ],
    );
  });

  test("runs without sweeps draw none", () => {
    const results = JSON.parse(readFileSync(join(import.meta.dirname, "fixtures", "results-small.json"), "utf8")) as ResultsFile;
    const charts = buildCharts(buildReportModel(results));
    assert.ok(charts.length > 0);
    assert.ok(!charts.some((c) => c.kind === "sweep-heatmap"));
  });
});
