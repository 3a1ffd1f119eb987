/**
 * What every chart shares: fonts (listed so resvg finds DejaVu Sans headless and browsers fall
 * back to their own sans-serif), sizes, the cold/warm colours, and the dataset label.
 */
import type { TopLevelSpec } from "vega-lite";
import type { DatasetView } from "../model-types.ts";

/** DejaVu Sans first: it is what Debian CI images have (fonts-dejavu-core). */
const CHART_FONT = "DejaVu Sans, Helvetica, Arial, sans-serif";
export const PANEL_WIDTH = 440;

/** Cold as blue, warm as red: the reading the words suggest. */
export const CACHE_SCALE = { domain: ["cold", "warm"], range: ["#4c78a8", "#e45756"] };

/** The cache colour scale restricted to the states present, so legends list only those. */
export function cacheScaleFor(present: readonly string[]): { domain: string[]; range: string[] } {
  const keep = CACHE_SCALE.domain.map((d, i) => [d, CACHE_SCALE.range[i]]).filter(([d]) => present.includes(d));
  return { domain: keep.map(([d]) => d), range: keep.map(([, r]) => r) };
}

/** Shared vega-lite config: readable sizes on a white background. */
const CHART_CONFIG = {
  font: CHART_FONT,
  background: "white",
  padding: 12,
  title: { fontSize: 16, subtitleFontSize: 12, subtitleColor: "#555", anchor: "start", offset: 12 },
  axis: { labelFontSize: 11, titleFontSize: 12, labelLimit: 220, gridColor: "#eee" },
  // Log axes label 1, 2, 3…; browsers measure text wider than the headless estimate, so drop overlaps.
  axisQuantitative: { labelOverlap: "greedy", labelSeparation: 4 },
  header: { labelFontSize: 12, titleFontSize: 12, labelFontWeight: "bold" },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  view: { stroke: "#ddd" },
} as const;

/** "image (4096×4096 float32)", with the scenario when a report holds several datasets. */
export function datasetLabel(dataset: DatasetView): string {
  return `${dataset.name} (${dataset.shape.join("×")} ${dataset.dtype})`;
}

/** Adds the schema and shared config to a chart body. */
export function withTheme(spec: Record<string, unknown>): TopLevelSpec {
  return { $schema: "https://vega.github.io/schema/vega-lite/v6.json", config: CHART_CONFIG, ...spec } as TopLevelSpec;
}

/** Pattern names in scenario order, for sort fields. */
export function patternOrder(dataset: DatasetView): string[] {
  return dataset.patterns.map((p) => p.name);
}

/** Layout names in scenario order. */
export function layoutOrder(dataset: DatasetView): string[] {
  return dataset.layouts.map((l) => l.name);
}
