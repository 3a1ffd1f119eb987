/**
 * A sweep's heatmap (report/sweep-heatmap.ts): one swept field down, another (or the access
 * pattern) across, colour the workload's cost or the median time relative to the best cell, each
 * cell printing its value; rows and columns best first.
 */
import type { TopLevelSpec } from "vega-lite";
import { formatFactor, formatMs } from "../format.ts";
import type { DatasetView } from "../model-types.ts";
import type { SweepHeatmap } from "../sweep-heatmap.ts";
import { datasetLabel, withTheme } from "./theme.ts";

export function sweepHeatmapChart(dataset: DatasetView, heatmap: SweepHeatmap): TopLevelSpec {
  const best = Math.min(...heatmap.cells.filter((c) => c.value !== null).map((c) => c.value!));
  const values = heatmap.cells.map((c) => ({
    row: c.row,
    column: c.column,
    layout: c.layout ?? "failed",
    ratio: c.value === null ? null : c.value / best,
    text: c.value === null ? "failed" : formatMs(c.value),
    ratioText: c.value === null ? "failed" : formatFactor(c.value / best),
  }));
  // White text on the darker half of the (log) colour scale.
  const worst = Math.max(...values.map((v) => v.ratio ?? 1));
  const darkFrom = Math.max(1.5, Math.sqrt(worst));
  const what =
    heatmap.metric === "cost"
      ? [
          "colour: expected cost of one round of the workload (the recommendation's) ÷ the best cell",
          "lowest over any other swept field; rows and columns best first",
        ]
      : heatmap.columnField === "layout"
        ? [
            `colour: median time, ${heatmap.cache ?? ""} cache, ÷ the best cell`,
            "rows: the swept patterns; columns: layouts by the workload's expected cost, best first",
          ]
        : [`colour: median time per pattern, ${heatmap.cache ?? ""} cache, ÷ the best cell`, "rows by the workload's expected cost, best first"];
  return withTheme({
    title: {
      text: `Sweep: ${heatmap.rowField} × ${heatmap.columnField}: ${datasetLabel(dataset)}`,
      subtitle: what,
    },
    data: { values },
    width: { step: 84 },
    height: { step: 36 },
    encoding: {
      x: { field: "column", type: "nominal", title: heatmap.columnField, sort: [...heatmap.columns], axis: { labelAngle: 0 } },
      y: { field: "row", type: "nominal", title: heatmap.rowField, sort: [...heatmap.rows] },
    },
    layer: [
      {
        transform: [{ filter: "datum.ratio !== null" }],
        mark: { type: "rect", stroke: "white", strokeWidth: 2, tooltip: true },
        encoding: {
          color: {
            field: "ratio",
            type: "quantitative",
            title: "× best",
            scale: { type: "log", scheme: "orangered", domainMin: 1 },
            legend: { format: ".2~r", labelExpr: "datum.label ? datum.label + '×' : ''" },
          },
          tooltip: [
            { field: "layout", title: "Layout" },
            { field: "text", title: heatmap.metric === "cost" ? "Expected cost" : "Median" },
            { field: "ratioText", title: "× best" },
          ],
        },
      },
      { transform: [{ filter: "datum.ratio === null" }], mark: { type: "rect", fill: "#eee", stroke: "white", strokeWidth: 2 } },
      {
        mark: { type: "text", fontSize: 11 },
        encoding: {
          text: { field: "text" },
          color: { condition: { test: `datum.ratio !== null && datum.ratio >= ${darkFrom}`, value: "white" }, value: "#222" },
        },
      },
    ],
  });
}
