/**
 * Every sample's time, per layout: one tick per sample over a Tukey box plot (whiskers at
 * 1.5 IQR), one row per pattern and one column per cache state. Shows what a median hides:
 * bimodal runs, a slow first sample, outliers.
 */
import type { TopLevelSpec } from "vega-lite";
import type { DatasetView } from "../model-types.ts";
import { CACHE_SCALE, datasetLabel, layoutOrder, patternOrder, withTheme } from "./theme.ts";

/** The sample-distribution chart of a dataset, or null without samples. */
export function distributionChart(dataset: DatasetView): TopLevelSpec | null {
  const values = dataset.groups.flatMap((g) => g.rows.filter((r) => r.stats).flatMap((r) =>
    r.samplesMs.map((ms, i) => ({ pattern: g.pattern.name, layout: r.layout, cache: g.cache, ms, sample: i + 1 }))));
  if (values.length === 0) return null;
  const y = { field: "layout", type: "nominal", title: "Layout", sort: layoutOrder(dataset) };
  const x = { field: "ms", type: "quantitative", title: "Time per sample (ms, log scale)", scale: { type: "log" } };
  return withTheme({
    title: { text: `Sample distributions: ${datasetLabel(dataset)}`, subtitle: "one tick per sample; box = quartiles, whiskers = 1.5 IQR; lower is better" },
    data: { values },
    facet: {
      row: { field: "pattern", type: "nominal", title: "Access pattern", sort: patternOrder(dataset), header: { labelAngle: 0, labelAlign: "left" } },
      column: { field: "cache", type: "nominal", title: "Page cache", sort: CACHE_SCALE.domain },
    },
    spec: {
      width: 300,
      height: { step: 22 },
      layer: [
        {
          mark: { type: "boxplot", extent: 1.5, size: 14, opacity: 0.35, median: { color: "#222" }, outliers: false },
          encoding: { y, x, color: { field: "cache", type: "nominal", title: "Page cache", scale: CACHE_SCALE, legend: null } },
        },
        {
          mark: { type: "tick", thickness: 1.5, size: 14, opacity: 0.9, tooltip: true },
          encoding: {
            y, x,
            color: { field: "cache", type: "nominal", scale: CACHE_SCALE, legend: null },
            tooltip: [{ field: "layout", title: "Layout" }, { field: "sample", title: "Sample" }, { field: "ms", title: "ms", format: ".3~r" }],
          },
        },
      ],
    },
  });
}
