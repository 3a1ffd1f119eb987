/**
 * Chunk shape × access pattern: for the chunked layouts, how far each is from the best chunked
 * layout on each pattern. Colour is that ratio (log scale, so 2× slower and 2× faster are equally
 * far from even); each cell also prints the median time. Only drawn when chunked layouts with at
 * least two different chunk shapes exist, since otherwise there is no choice to show.
 */
import type { TopLevelSpec } from "vega-lite";
import { formatShape } from "../describe.ts";
import { formatFactor, formatMs } from "../format.ts";
import type { DatasetView } from "../model-types.ts";
import { CACHE_SCALE, datasetLabel, patternOrder, withTheme } from "./theme.ts";

/** Ratios at or above this print in white on the dark end of the colour scale. */
const DARK_FROM = 4;

/** The chunk-shape heatmap of a dataset, or null without two distinct chunk shapes. */
export function chunkHeatmapChart(dataset: DatasetView): TopLevelSpec | null {
  const chunked = dataset.layouts.filter((l) => l.chunks !== null);
  if (new Set(chunked.map((l) => formatShape(l.chunks!))).size < 2) return null;
  const label = (name: string) => {
    const l = chunked.find((c) => c.name === name)!;
    return `${formatShape(l.chunks!)} · ${l.name}`;
  };
  // Rows sorted by chunk size (elements per chunk), so neighbouring rows differ least.
  const rows = [...chunked]
    .sort((a, b) => a.chunks!.reduce((x, y) => x * y, 1) - b.chunks!.reduce((x, y) => x * y, 1) || a.name.localeCompare(b.name))
    .map((l) => label(l.name));
  const values = dataset.groups.flatMap((g) => {
    const members = g.rows.filter((r) => chunked.some((c) => c.name === r.layout));
    const best = Math.min(...members.filter((r) => r.stats).map((r) => r.stats!.median));
    return members.map((r) => ({
      pattern: g.pattern.name,
      cache: g.cache,
      chunks: label(r.layout),
      ratio: r.stats ? r.stats.median / best : null,
      text: r.stats ? formatMs(r.stats.median) : "failed",
      ratioText: r.stats ? formatFactor(r.stats.median / best) : "failed",
    }));
  });
  const x = { field: "pattern", type: "nominal", title: "Access pattern", sort: patternOrder(dataset), axis: { labelAngle: 0 } };
  const y = { field: "chunks", type: "nominal", title: "Chunk shape · layout", sort: rows };
  return withTheme({
    title: {
      text: `Chunk shape × access pattern: ${datasetLabel(dataset)}`,
      subtitle: "colour: median time ÷ best chunked layout for the pattern (1× = best); cell text: median time",
    },
    data: { values },
    facet: { column: { field: "cache", type: "nominal", title: "Page cache", sort: CACHE_SCALE.domain } },
    spec: {
      width: { step: 84 },
      height: { step: 40 },
      encoding: { x, y },
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
              { field: "chunks", title: "Layout" },
              { field: "pattern", title: "Pattern" },
              { field: "text", title: "Median" },
              { field: "ratioText", title: "× best" },
            ],
          },
        },
        { transform: [{ filter: "datum.ratio === null" }], mark: { type: "rect", fill: "#eee", stroke: "white", strokeWidth: 2 } },
        {
          mark: { type: "text", fontSize: 11 },
          encoding: {
            text: { field: "text" },
            color: { condition: { test: `datum.ratio !== null && datum.ratio >= ${DARK_FROM}`, value: "white" }, value: "#222" },
          },
        },
      ],
    },
  });
}
