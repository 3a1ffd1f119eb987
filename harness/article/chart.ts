/**
 * The one chart shape the article's claims use: horizontal bars, one per measured quantity, with
 * the interval as a whisker where there is one and the prediction as a dashed rule where the
 * claim has one. Pure: it returns a vega-lite spec, drawn by report/render-chart.ts.
 */
import type { TopLevelSpec } from "vega-lite";
import { PANEL_WIDTH, withTheme } from "../report/charts/theme.ts";

export interface Bar {
  /** The bar's label on the y axis. */
  readonly label: string;
  readonly value: number;
  readonly low?: number;
  readonly high?: number;
  /** Bars of one group share a colour (e.g. "cold", "advice random"). */
  readonly group: string;
  /** The value as the chart prints it next to the bar. */
  readonly text: string;
}

export interface BarChart {
  readonly title: string;
  readonly subtitle: readonly string[];
  readonly axis: string;
  readonly bars: readonly Bar[];
  /** Log scale: for ratios spanning orders of magnitude; bars then start at 1× (below 1 they grow left). */
  readonly log?: boolean;
  /** A dashed vertical rule at the predicted value, labelled. */
  readonly prediction?: { readonly value: number; readonly label: string };
}

const PALETTE = ["#4c78a8", "#e45756", "#54a24b", "#f58518", "#b279a2", "#72b7b2"];

/** The vega-lite spec of a claim's chart. */
export function barChart(chart: BarChart): TopLevelSpec {
  const values = chart.bars.map((b) => ({ ...b, low: b.low ?? b.value, high: b.high ?? b.value }));
  const groups = [...new Set(chart.bars.map((b) => b.group))];
  const x = { field: "value", type: "quantitative", title: chart.axis, ...(chart.log ? { scale: { type: "log" } } : {}) };
  const y = { field: "label", type: "nominal", title: null, sort: chart.bars.map((b) => b.label) };
  const layers: Record<string, unknown>[] = [
    {
      mark: { type: "bar", tooltip: true },
      // A log scale has no 0 to start bars at: they start at 1×, as in the report's amplification chart.
      encoding: {
        x,
        ...(chart.log ? { x2: { datum: 1 } } : {}),
        y,
        color: {
          field: "group",
          type: "nominal",
          title: null,
          scale: { domain: groups, range: PALETTE.slice(0, groups.length) },
          legend: { orient: "bottom", labelLimit: 400 },
        },
      },
    },
    {
      mark: { type: "rule", color: "#222" },
      encoding: { x: { field: "low", type: "quantitative" }, x2: { field: "high" }, y },
    },
    {
      mark: { type: "text", align: "left", dx: 4, fontSize: 10, color: "#222" },
      encoding: { x: { field: "high", type: "quantitative" }, y, text: { field: "text" } },
    },
  ];
  if (chart.prediction) {
    layers.push({
      data: { values: [{ value: chart.prediction.value, label: chart.prediction.label }] },
      layer: [
        { mark: { type: "rule", color: "#333", strokeDash: [5, 4] }, encoding: { x: { field: "value", type: "quantitative" } } },
        {
          mark: { type: "text", align: "right", baseline: "bottom", dx: -3, y: 0, dy: -2, fontSize: 10, color: "#333" },
          encoding: { x: { field: "value", type: "quantitative" }, text: { field: "label" } },
        },
      ],
    });
  }
  return withTheme({
    title: { text: chart.title, subtitle: [...chart.subtitle] },
    width: PANEL_WIDTH,
    height: { step: 26 },
    data: { values },
    layer: layers,
  });
}
