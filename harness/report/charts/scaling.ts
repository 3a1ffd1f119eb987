/**
 * Scaling with readers: the readers' aggregate throughput against reader processes (one thread
 * each) and against threads (one process), one line per layout, a panel per pattern and cache
 * state, with the median's interval as a band. Points past the machine's cores are drawn hollow:
 * there the cores, not the layout, cap the curve.
 */
import type { TopLevelSpec } from "vega-lite";
import { formatRate } from "../format.ts";
import type { DatasetView } from "../model-types.ts";
import { datasetLabel, PANEL_WIDTH, withTheme } from "./theme.ts";

/** The scaling chart of a dataset, or null when no case was read by reader processes at more than one count. */
export function scalingChart(dataset: DatasetView): TopLevelSpec | null {
  const cores = dataset.cores ?? Number.POSITIVE_INFINITY;
  const values = dataset.groups.flatMap((g) =>
    g.rows
      .filter((r) => r.readers && r.throughput !== null && r.throughput > 0)
      .flatMap((r) => {
        const x = r.readers!;
        const axes = [...(x.threads === 1 ? ["processes"] : []), ...(x.processes === 1 ? ["threads"] : [])];
        return axes.map((axis) => ({
          panel: `${g.pattern.name}, ${g.cache}`,
          axis,
          count: axis === "processes" ? x.processes : x.threads,
          layout: `${x.layout}${x.split === "partition" && x.processes > 1 ? " (partition)" : ""}`,
          mbps: r.throughput! / 1e6,
          low: (x.throughputCI?.low ?? r.throughput!) / 1e6,
          high: (x.throughputCI?.high ?? r.throughput!) / 1e6,
          beyondCores: x.processes * x.threads > cores ? "past the cores" : "within the cores",
          label: formatRate(r.throughput!),
        }));
      }),
  );
  // An axis with one count has nothing to draw (threads, when every reader had one).
  const axes = ["processes", "threads"].filter((a) => new Set(values.filter((v) => v.axis === a).map((v) => v.count)).size > 1);
  if (axes.length === 0) return null;
  const shown = values.filter((v) => axes.includes(v.axis));
  return withTheme({
    title: {
      text: `Scaling with readers: ${datasetLabel(dataset)}`,
      subtitle: [
        "aggregate throughput of all readers (bytes they asked for ÷ median time from go to the last reader's end); band: the median's interval",
        ...(Number.isFinite(cores) ? [`hollow points: more readers × threads than the machine's ${cores} cores; the cores cap them`] : []),
      ],
    },
    data: { values: shown },
    facet: {
      row: { field: "panel", type: "nominal", title: null, header: { labelAngle: 0, labelAlign: "left" } },
      column: { field: "axis", type: "nominal", title: null, sort: axes },
    },
    spec: {
      width: PANEL_WIDTH / 2,
      height: 160,
      encoding: {
        x: { field: "count", type: "quantitative", title: "Readers (processes, or threads in one)", scale: { type: "log", base: 2 }, axis: { tickMinStep: 1 } },
        color: { field: "layout", type: "nominal", title: "Layout" },
      },
      layer: [
        { mark: { type: "area", opacity: 0.15 }, encoding: { y: { field: "low", type: "quantitative", title: "Throughput (MB/s)" }, y2: { field: "high" } } },
        { mark: { type: "line" }, encoding: { y: { field: "mbps", type: "quantitative" } } },
        {
          mark: { type: "point", size: 50 },
          encoding: {
            y: { field: "mbps", type: "quantitative" },
            fill: { condition: { test: "datum.beyondCores === 'within the cores'", field: "layout", type: "nominal", legend: null }, value: "white" },
            tooltip: [
              { field: "layout", title: "Layout" },
              { field: "axis", title: "Axis" },
              { field: "count", title: "Count" },
              { field: "label", title: "Throughput" },
              { field: "beyondCores", title: "Cores" },
            ],
          },
        },
      ],
    },
    resolve: { scale: { y: "independent", x: "independent" } },
  });
}
