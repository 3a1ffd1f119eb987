/**
 * The compression trade-off: size on disk against the workload's expected cost (Σ weight ×
 * median time over the patterns), one panel per cache state. Lower left is better; a compressed
 * layout pays for its smaller size with decompression time, or wins when storage is slow.
 */
import type { TopLevelSpec } from "vega-lite";
import { formatBytes, formatFactor, formatMs } from "../format.ts";
import type { DatasetView } from "../model-types.ts";
import { CACHE_SCALE, datasetLabel, withTheme } from "./theme.ts";

/** The size-vs-cost scatter of a dataset, or null when no layout has both. */
export function sizeSpeedChart(dataset: DatasetView): TopLevelSpec | null {
  const values = dataset.layouts.flatMap((l) =>
    Object.entries(l.costByCache)
      .filter(([, cost]) => cost !== null && cost !== undefined && cost > 0 && l.bytesOnDisk !== null)
      .map(([cache, cost]) => ({
        layout: l.name,
        backend: l.backend,
        cache,
        costMs: cost!,
        mib: l.bytesOnDisk! / 2 ** 20,
        size: formatBytes(l.bytesOnDisk!),
        cost: formatMs(cost!),
        ratio: formatFactor(l.compressionRatio ?? 1),
      })),
  );
  if (values.length === 0) return null;
  // Room to the right of the largest layout for its name.
  const maxMiB = Math.max(...values.map((v) => v.mib));
  const missing = dataset.layouts.some((l) => Object.values(l.costByCache).some((c) => c === null));
  const weights = dataset.patterns
    .filter((p) => p.weight > 0)
    .map((p) => `${p.name} ×${p.weight}`)
    .join(", ");
  return withTheme({
    title: {
      text: `Size on disk vs workload cost: ${datasetLabel(dataset)}`,
      subtitle: [
        `cost = Σ weight × median time (${weights}); lower left is better`,
        ...(missing ? ["a layout with a failed or missing case has no point in that panel"] : []),
      ],
    },
    data: { values },
    facet: { column: { field: "cache", type: "nominal", title: "Page cache", sort: CACHE_SCALE.domain } },
    resolve: { scale: { y: "independent" } },
    spec: {
      width: 300,
      height: 260,
      encoding: {
        x: {
          field: "mib",
          type: "quantitative",
          title: "Size on disk (MiB)",
          scale: { zero: true, nice: false, domainMax: maxMiB * 1.3 },
          axis: { offset: 0 },
        },
        y: { field: "costMs", type: "quantitative", title: "Workload cost (ms, log scale)", scale: { type: "log", nice: false, padding: 16 } },
      },
      layer: [
        {
          mark: { type: "point", filled: true, size: 90, tooltip: true },
          encoding: {
            color: { field: "backend", type: "nominal", title: "Backend" },
            shape: { field: "backend", type: "nominal", title: "Backend" },
            tooltip: [
              { field: "layout", title: "Layout" },
              { field: "size", title: "On disk" },
              { field: "ratio", title: "Compression" },
              { field: "cost", title: "Cost" },
            ],
          },
        },
        { mark: { type: "text", align: "left", dx: 8, dy: -6, fontSize: 10 }, encoding: { text: { field: "layout" } } },
      ],
    },
  });
}
