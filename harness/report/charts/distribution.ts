/**
 * Every sample's time, per layout: one tick per sample over a Tukey box plot (whiskers at
 * 1.5 IQR), one panel per pattern and cache state. Shows what a median hides: bimodal runs, a
 * slow first sample, outliers. Each panel has its own log time axis: layouts differ by orders of
 * magnitude between patterns, and a shared axis would squash every spread to a line.
 */
import type { TopLevelSpec } from "vega-lite";
import type { DatasetView } from "../model-types.ts";
import { CACHE_SCALE, datasetLabel, layoutOrder, PANEL_WIDTH, withTheme } from "./theme.ts";

function panelName(pattern: string, cache: string): string {
  return `${pattern} · ${cache}`;
}

/** The sample-distribution chart of a dataset, or null without samples. */
export function distributionChart(dataset: DatasetView): TopLevelSpec | null {
  const values = dataset.groups.flatMap((g) =>
    g.rows
      .filter((r) => r.stats)
      .flatMap((r) => r.samplesMs.map((ms, i) => ({ panel: panelName(g.pattern.name, g.cache), layout: r.layout, cache: g.cache, ms, sample: i + 1 }))),
  );
  if (values.length === 0) return null;
  const y = { field: "layout", type: "nominal", title: "Layout", sort: layoutOrder(dataset) };
  const x = { field: "ms", type: "quantitative", title: "Time per sample (ms, log scale)", scale: { type: "log", nice: false, padding: 12 } };
  return withTheme({
    title: { text: `Sample distributions: ${datasetLabel(dataset)}`, subtitle: "one tick per sample; box = quartiles, whiskers = 1.5 IQR; lower is better" },
    data: { values },
    facet: {
      row: {
        field: "panel",
        type: "nominal",
        title: "Access pattern · page cache",
        header: { labelAngle: 0, labelAlign: "left" },
        sort: dataset.groups.map((g) => panelName(g.pattern.name, g.cache)),
      },
    },
    resolve: { scale: { x: "independent" } },
    spec: {
      width: PANEL_WIDTH,
      height: { step: 18 },
      layer: [
        {
          mark: { type: "boxplot", extent: 1.5, size: 14, opacity: 0.35, median: { color: "#222" }, outliers: false },
          encoding: { y, x, color: { field: "cache", type: "nominal", title: "Page cache", scale: CACHE_SCALE } },
        },
        {
          mark: { type: "tick", thickness: 1.5, size: 14, opacity: 0.9, tooltip: true },
          encoding: {
            y,
            x,
            color: { field: "cache", type: "nominal", scale: CACHE_SCALE, legend: null },
            tooltip: [
              { field: "layout", title: "Layout" },
              { field: "sample", title: "Sample" },
              { field: "ms", title: "ms", format: ".3~r" },
            ],
          },
        },
      ],
    },
  });
}
