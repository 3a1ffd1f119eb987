/**
 * Every chart of a report: one pure spec builder per chart kind, applied to each dataset.
 * A builder returns null when its chart would be empty or meaningless for the data.
 */
import type { TopLevelSpec } from "vega-lite";
import type { DatasetView, ReportModel } from "../model-types.ts";
import { sweepHeatmaps, sweepsOf } from "../sweep-heatmap.ts";
import { amplificationChart } from "./amplification.ts";
import { bandwidthChart } from "./bandwidth.ts";
import { chunkHeatmapChart } from "./chunk-heatmap.ts";
import { distributionChart } from "./distribution.ts";
import { memoryChart } from "./memory.ts";
import { paretoChart } from "./pareto.ts";
import { scalingChart } from "./scaling.ts";
import { sizeSpeedChart } from "./size-speed.ts";
import { sweepHeatmapChart } from "./sweep-heatmap.ts";
import { throughputChart } from "./throughput.ts";

export type ChartKind =
  | "pareto"
  | "throughput"
  | "distribution"
  | "chunk-heatmap"
  | "size-speed"
  | "amplification"
  | "sweep-heatmap"
  | "scaling"
  | "memory"
  | "bandwidth";

const CHART_BUILDERS: Readonly<Record<Exclude<ChartKind, "sweep-heatmap" | "bandwidth">, (dataset: DatasetView) => TopLevelSpec | null>> = {
  pareto: paretoChart,
  throughput: throughputChart,
  distribution: distributionChart,
  "chunk-heatmap": chunkHeatmapChart,
  "size-speed": sizeSpeedChart,
  amplification: amplificationChart,
  scaling: scalingChart,
  memory: memoryChart,
};

export interface ChartView {
  /** Safe as an HTML id and a file name: "throughput-image". */
  readonly id: string;
  readonly kind: ChartKind;
  /** DatasetView.key of the dataset it shows. */
  readonly dataset: string;
  readonly spec: TopLevelSpec;
}

function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "") || "dataset"
  );
}

/** The charts of a report, dataset by dataset, in CHART_BUILDERS order. */
export function buildCharts(model: ReportModel): ChartView[] {
  const charts: ChartView[] = [];
  const used = new Set<string>();
  for (const dataset of model.datasets) {
    // A report with one dataset keeps short ids; several get the scenario in them too.
    const base = slug(model.datasets.length > 1 ? dataset.key : dataset.name);
    for (const [kind, build] of Object.entries(CHART_BUILDERS) as [ChartKind, (d: DatasetView) => TopLevelSpec | null][]) {
      const spec = build(dataset);
      if (!spec) continue;
      let id = `${kind}-${base}`;
      for (let n = 2; used.has(id); n++) id = `${kind}-${base}-${n}`;
      used.add(id);
      charts.push({ id, kind, dataset: dataset.key, spec });
    }
    // One per swept pair of fields, only where the scenario has a sweep.
    for (const heatmap of sweepHeatmaps(dataset, sweepsOf(model, dataset))) {
      let id = `sweep-heatmap-${base}-${slug(heatmap.rowField)}-${slug(heatmap.columnField)}`;
      for (let n = 2; used.has(id); n++) id = `sweep-heatmap-${base}-${slug(heatmap.rowField)}-${slug(heatmap.columnField)}-${n}`;
      used.add(id);
      charts.push({ id, kind: "sweep-heatmap", dataset: dataset.key, spec: sweepHeatmapChart(dataset, heatmap) });
    }
  }
  // One for the run: its remote cases may span datasets; shown with the first dataset.
  const bandwidth = bandwidthChart(model.remote);
  if (bandwidth && model.datasets.length > 0) charts.push({ id: "bandwidth", kind: "bandwidth", dataset: model.datasets[0].key, spec: bandwidth });
  return charts;
}
