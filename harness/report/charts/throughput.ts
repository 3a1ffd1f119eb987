/**
 * Throughput by layout, one panel per pattern, cold and warm bars side by side, on one shared
 * axis so panels compare at a glance. Log scale: cold and warm differ by 100× or more, and a
 * linear axis would flatten the cold bars. Point patterns are left out: a few bytes per read
 * make MB/s a measure of latency, not of throughput.
 */
import type { TopLevelSpec } from "vega-lite";
import { formatRate } from "../format.ts";
import { throughputMeaningless } from "../meaningless.ts";
import type { DatasetView } from "../model-types.ts";
import { CACHE_SCALE, datasetLabel, layoutOrder, PANEL_WIDTH, patternOrder, withTheme } from "./theme.ts";

/** The throughput chart of a dataset, or null when no case has a throughput. */
export function throughputChart(dataset: DatasetView): TopLevelSpec | null {
  const values = dataset.groups
    .filter((g) => !throughputMeaningless(g.pattern))
    .flatMap((g) =>
      g.rows
        .filter((r) => r.throughput !== null && r.throughput > 0)
        .map((r) => ({
          pattern: g.pattern.name,
          layout: r.layout,
          cache: g.cache,
          mbps: r.throughput! / 1e6,
          label: formatRate(r.throughput!),
        })),
    );
  if (values.length === 0) return null;
  const points = dataset.groups.some((g) => throughputMeaningless(g.pattern));
  const failed = dataset.groups.some((g) => g.rows.some((r) => r.status === "failed"));
  return withTheme({
    title: {
      text: `Throughput by layout: ${datasetLabel(dataset)}`,
      subtitle: [
        "bytes requested ÷ median time; higher is better; log scale",
        ...(failed ? ["no bar: the case failed (see the tables)"] : []),
        ...(points ? ["point patterns are left out: MB/s of a few bytes per read is not a throughput"] : []),
      ],
    },
    data: { values },
    facet: { row: { field: "pattern", type: "nominal", title: "Access pattern", sort: patternOrder(dataset), header: { labelAngle: 0, labelAlign: "left" } } },
    spec: {
      width: PANEL_WIDTH,
      height: { step: 14 },
      encoding: {
        y: { field: "layout", type: "nominal", title: "Layout", sort: layoutOrder(dataset) },
        yOffset: { field: "cache", sort: CACHE_SCALE.domain },
        x: { field: "mbps", type: "quantitative", title: "Throughput (MB/s, log scale)", scale: { type: "log", padding: 36 }, stack: null },
      },
      layer: [
        {
          mark: { type: "bar", tooltip: true },
          encoding: {
            color: { field: "cache", type: "nominal", title: "Page cache", scale: CACHE_SCALE },
            tooltip: [
              { field: "layout", title: "Layout" },
              { field: "pattern", title: "Pattern" },
              { field: "cache", title: "Cache" },
              { field: "label", title: "Throughput" },
            ],
          },
        },
        { mark: { type: "text", align: "left", dx: 3, fontSize: 10, color: "#333" }, encoding: { text: { field: "label" } } },
      ],
    },
  });
}
