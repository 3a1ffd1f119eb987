/**
 * The size-vs-cost Pareto front under the recommendation's weighting: bytes on disk against the
 * expected workload cost, the cost's interval as an error bar, and the layouts no other layout
 * beats on both counts joined by a line and labelled in bold. Lower left is better.
 */
import type { TopLevelSpec } from "vega-lite";
import { formatBytes, formatInterval, formatMs } from "../format.ts";
import type { DatasetView } from "../model-types.ts";
import { datasetPareto } from "../pareto.ts";
import { datasetLabel, withTheme } from "./theme.ts";

const FRONT = "#d62728";
const OFF = "#888";

/** The Pareto chart of a dataset, or null when fewer than two ranked layouts have a size. */
export function paretoChart(dataset: DatasetView): TopLevelSpec | null {
  const points = datasetPareto(dataset);
  if (points.length === 0) return null;
  const rec = dataset.recommendation;
  const values = points.map((p) => ({
    layout: p.layout,
    mib: p.bytesOnDisk / 2 ** 20,
    costMs: p.costMs,
    low: p.low,
    high: p.high,
    front: p.onFront ? "on the front" : "beaten on size and cost",
    size: formatBytes(p.bytesOnDisk),
    cost: `${formatMs(p.costMs)} (${formatInterval(p.low, p.high, formatMs)})`,
  }));
  const weights = rec.weights.map((w) => `${w.pattern} ×${w.weight}`).join(", ");
  const maxMiB = Math.max(...values.map((v) => v.mib));
  const x = { field: "mib", type: "quantitative", title: "Size on disk (MiB)", scale: { zero: true, nice: false, domainMax: maxMiB * 1.3 } };
  const color = {
    field: "front",
    type: "nominal",
    title: "Pareto front",
    scale: { domain: ["on the front", "beaten on size and cost"], range: [FRONT, OFF] },
    legend: { labelLimit: 300 },
  };
  return withTheme({
    title: {
      text: `Size vs workload cost: ${datasetLabel(dataset)}`,
      subtitle: [
        `cost = Σ weight × median time (${weights}; ${rec.cache.join(" and ")} cache); bars: ${rec.engine} bootstrap interval`,
        "lower left is better",
      ],
    },
    data: { values },
    width: 420,
    height: 280,
    encoding: { x, y: { field: "costMs", type: "quantitative", title: "Expected workload cost (ms)", scale: { zero: false, nice: true } } },
    layer: [
      {
        transform: [{ filter: "datum.front === 'on the front'" }],
        mark: { type: "line", color: FRONT, strokeDash: [4, 3] },
        encoding: { order: { field: "mib" } },
      },
      { mark: { type: "rule", strokeWidth: 1.5 }, encoding: { y: { field: "low", type: "quantitative" }, y2: { field: "high" }, color } },
      {
        mark: { type: "point", filled: true, size: 90, tooltip: true },
        encoding: {
          color,
          tooltip: [
            { field: "layout", title: "Layout" },
            { field: "size", title: "On disk" },
            { field: "cost", title: "Cost (interval)" },
            { field: "front", title: "Pareto" },
          ],
        },
      },
      {
        transform: [{ filter: "datum.front === 'on the front'" }],
        mark: { type: "text", align: "left", dx: 8, dy: -6, fontSize: 10, fontWeight: "bold" },
        encoding: { text: { field: "layout" } },
      },
      {
        transform: [{ filter: "datum.front !== 'on the front'" }],
        mark: { type: "text", align: "left", dx: 8, dy: -6, fontSize: 10 },
        encoding: { text: { field: "layout" } },
      },
    ],
  });
}
