/**
 * Read amplification (bytes read from storage ÷ bytes requested) by layout, one panel per
 * pattern. Bars start at 1× (no waste) so waste grows right and compression savings left; log
 * scale because a column of a C-order memmap can read ~1000× what it asks for. Warm cases that
 * read nothing from storage have no bar.
 */
import type { TopLevelSpec } from "vega-lite";
import { formatBytes, formatFactor } from "../format.ts";
import type { DatasetView } from "../model-types.ts";
import { CACHE_SCALE, cacheScaleFor, datasetLabel, layoutOrder, PANEL_WIDTH, patternOrder, withTheme } from "./theme.ts";

/** The read-amplification chart of a dataset, or null when nothing was read from storage. */
export function amplificationChart(dataset: DatasetView): TopLevelSpec | null {
  const values = dataset.groups.flatMap((g) =>
    g.rows
      .filter((r) => r.stats && r.readAmplification !== null && r.readAmplification > 0)
      .map((r) => ({
        pattern: g.pattern.name,
        layout: r.layout,
        cache: g.cache,
        amplification: r.readAmplification!,
        // Labels sit right of the bar's outer end: past the 1× line for savings (< 1×).
        labelAt: Math.max(r.readAmplification!, 1),
        label: formatFactor(r.readAmplification!),
        read: formatBytes(r.bytesRead!),
        requested: formatBytes(r.bytesRequested!),
      })),
  );
  if (values.length === 0) return null;
  return withTheme({
    title: {
      text: `Read amplification: ${datasetLabel(dataset)}`,
      subtitle: [
        "bytes read from storage ÷ bytes requested; 1× = no waste; log scale",
        "no bar: nothing read from storage (served from the page cache), or the case failed",
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
        x: { field: "amplification", type: "quantitative", title: "Read amplification (×, log scale)", scale: { type: "log" }, stack: null },
      },
      layer: [
        {
          mark: { type: "bar", tooltip: true },
          encoding: {
            x2: { datum: 1 },
            color: { field: "cache", type: "nominal", title: "Page cache", scale: cacheScaleFor(values.map((v) => v.cache)) },
            tooltip: [
              { field: "layout", title: "Layout" },
              { field: "pattern", title: "Pattern" },
              { field: "cache", title: "Cache" },
              { field: "label", title: "Amplification" },
              { field: "read", title: "Read" },
              { field: "requested", title: "Requested" },
            ],
          },
        },
        { mark: { type: "rule", color: "#333", strokeDash: [4, 3] }, encoding: { x: { datum: 1 }, y: null, yOffset: null } },
        {
          mark: { type: "text", align: "left", dx: 3, fontSize: 10, color: "#333" },
          encoding: { x: { field: "labelAt", type: "quantitative" }, text: { field: "label" } },
        },
      ],
    },
  });
}
