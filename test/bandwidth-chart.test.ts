/**
 * The time-against-bandwidth chart from a hand-built run: exact series, model values and crossover
 * rules, the chart only with two or more shaped bandwidths, and a snapshot of its spec.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { bandwidthSeries } from "../harness/report/bandwidth-series.ts";
import { bandwidthChart, bandwidthChartValues } from "../harness/report/charts/bandwidth.ts";
import { buildCharts } from "../harness/report/charts/index.ts";
import { renderHtml } from "../harness/report/html.ts";
import { buildReportModel } from "../harness/report/model.ts";
import { remoteSection } from "../harness/report/remote-section.ts";
import { chartToSvg } from "../harness/report/render-chart.ts";
import type { CaseResult, ResultsFile } from "../harness/run/results-types.ts";
import { matchSnapshot } from "./support/snapshot.ts";

/** A finished case with what the chart reads: layout, pattern, ratio, median and quartiles, bytes, bandwidth. */
const row = (layout: string, ratio: number, medianMs: number, bandwidth?: number): CaseResult =>
  ({
    id: `${layout}/${bandwidth ?? "local"}`,
    layout: { name: layout },
    pattern: { name: "full" },
    cache: "warm",
    status: "ok",
    storage: { compressionRatio: ratio },
    summary: { medianMs, q1Ms: medianMs - 1, q3Ms: medianMs + 2, bytesRequested: 1e8 },
    ...(bandwidth ? { storageLocation: { kind: "http", label: `h${bandwidth}`, shaping: { bandwidth, how: "token bucket" } } } : {}),
  }) as unknown as CaseResult;

// raw: 1e8 bytes at 10 GB/s locally, t = 1e8/B + 0.02 s; lz4 (r = 4) at 1 GB/s locally, t = 0.25e8/B + 0.07 s.
const cases = [
  row("raw", 1, 10),
  row("lz4", 4, 100),
  ...[1e7, 1e8, 1e9].flatMap((b) => [row("raw", 1, (1e8 / b + 0.02) * 1000, b), row("lz4", 4, (0.25e8 / b + 0.07) * 1000, b)]),
];

describe("time against bandwidth", () => {
  test("series: medians with quartiles per bandwidth, S, r and D of the warm local case", () => {
    const series = bandwidthSeries(cases);
    assert.deepEqual(
      series.map((s) => [s.pattern, s.layout, s.ratio, s.bytes, s.decodeBytesPerSecond]),
      [
        ["full", "raw", 1, 1e8, 1e10],
        ["full", "lz4", 4, 1e8, 1e9],
      ],
    );
    assert.deepEqual(series[1].points[0], { bandwidth: 1e7, seconds: 2.57, low: 2.569, high: 2.572 });
  });

  test("model lines run from half the lowest to twice the highest bandwidth; the rule sits at the predicted crossover", () => {
    const remote = remoteSection(cases)!;
    const { points, model, rules } = bandwidthChartValues(remote.series!, remote.crossovers);
    assert.equal(points.length, 6);
    const lz4 = model.filter((m) => m.layout === "lz4");
    assert.equal(lz4.length, 25);
    assert.ok(Math.abs(lz4[0].mbps - 5) < 1e-9 && Math.abs(lz4[24].mbps - 2000) < 1e-6);
    // At 5 MB/s: 1e8 / (4 × 5e6) + 1e8 / 1e9 = 5.1 s.
    assert.ok(Math.abs(lz4[0].modelMs - 5100) < 1e-6);
    // (1 − 1/4) / (1/1e9 − 1/1e10) = 833.33 MB/s.
    assert.equal(rules.length, 1);
    assert.equal(rules[0].layout, "lz4");
    assert.ok(Math.abs(rules[0].crossoverMbps - 0.75 / 9e-10 / 1e6) < 1e-6);
  });

  test("no chart without two shaped bandwidths", () => {
    const one = cases.filter((c) => !c.storageLocation || c.storageLocation.shaping?.bandwidth === 1e8);
    assert.equal(bandwidthChart(remoteSection(one)), null);
    assert.equal(bandwidthChart(null), null);
  });

  test("spec snapshot; it renders to SVG", async () => {
    const spec = bandwidthChart(remoteSection(cases))!;
    matchSnapshot("chart-bandwidth.json", `${JSON.stringify(spec, null, 2)}\n`);
    const svg = await chartToSvg(spec);
    assert.match(svg, /^<svg/);
    assert.match(svg, /Time against bandwidth/);
  });

  test("a report with remote cases lists the chart once, with its first dataset, and captions it in HTML", () => {
    const base = buildReportModel(JSON.parse(readFileSync(new URL("./fixtures/results-small.json", import.meta.url), "utf8")) as ResultsFile);
    const model = { ...base, remote: remoteSection(cases) };
    const charts = buildCharts(model).filter((c) => c.kind === "bandwidth");
    assert.deepEqual(
      charts.map((c) => [c.id, c.dataset]),
      [["bandwidth", base.datasets[0].key]],
    );
    assert.ok(!buildCharts(base).some((c) => c.kind === "bandwidth"));
    assert.match(renderHtml(model, { libraries: [] }), /id="chart-bandwidth" data-chart="bandwidth"><\/div><figcaption>Time against bandwidth/);
  });
});
