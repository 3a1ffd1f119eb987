/**
 * Time against bandwidth, one panel per pattern: each layout's measured medians over shaped remote
 * storage (bars: interquartile range of the samples), its model line t = S/(r·B) + S/D, and a rule
 * at each compressed layout's predicted crossover with the raw layout, below which it reads faster.
 * D is the decode-only speed of the decoder the remote reads use, measured in the run, else the warm
 * local read through that decoder (report/decode-rate.ts); the subtitle says which D each line used. Both axes are logarithmic: the model is a straight line in 1/B
 * plus a constant.
 */
import type { TopLevelSpec } from "vega-lite";
import { modelSeconds } from "../../stats/transfer-model.ts";
import type { BandwidthSeries } from "../bandwidth-series.ts";
import { DECODE_RATE_SOURCE, formatDecodeRate } from "../decode-rate.ts";
import type { RemoteSectionView } from "../model-types.ts";
import { PANEL_WIDTH, withTheme } from "./theme.ts";

/** Model points per line, spaced evenly in log B. */
const MODEL_STEPS = 24;

/** The chart's values: points, model lines and crossover rules (ms and MB/s). Pure. */
export function bandwidthChartValues(series: readonly BandwidthSeries[], crossovers: RemoteSectionView["crossovers"]) {
  const points = series.flatMap((s) =>
    s.points.map((p) => ({ pattern: s.pattern, layout: s.layout, mbps: p.bandwidth / 1e6, ms: p.seconds * 1000, lowMs: p.low * 1000, highMs: p.high * 1000 })),
  );
  const model = series.flatMap((s) => {
    if (s.decodeBytesPerSecond === null) return [];
    const lo = Math.log(s.points[0].bandwidth / 2);
    const hi = Math.log(s.points[s.points.length - 1].bandwidth * 2);
    const d = s.decodeBytesPerSecond;
    return Array.from({ length: MODEL_STEPS + 1 }, (_, i) => {
      const b = Math.exp(lo + ((hi - lo) * i) / MODEL_STEPS);
      return { pattern: s.pattern, layout: s.layout, mbps: b / 1e6, modelMs: modelSeconds(s.bytes, b, { ratio: s.ratio, decodeBytesPerSecond: d }) * 1000 };
    });
  });
  const rules = crossovers
    .filter((c) => c.predicted !== null && Number.isFinite(c.predicted) && series.some((s) => s.pattern === c.pattern && s.layout === c.layout))
    .map((c) => ({ pattern: c.pattern, layout: c.layout, crossoverMbps: c.predicted! / 1e6 }));
  return { points, model, rules };
}

/** The chart, or null when no layout has points at two or more shaped bandwidths. */
export function bandwidthChart(remote: RemoteSectionView | null | undefined): TopLevelSpec | null {
  const series = remote?.series ?? [];
  if (series.length === 0) return null;
  const { points, model, rules } = bandwidthChartValues(series, remote!.crossovers);
  const patterns = new Set(series.map((s) => s.pattern)).size;
  const used = [
    ...new Set(
      series
        .filter((s) => s.decodeBytesPerSecond !== null)
        .map((s) => `${s.layout}${patterns > 1 ? ` (${s.pattern})` : ""} ${formatDecodeRate(s.decodeBytesPerSecond!)}, ${s.decodeSource}`),
    ),
  ];
  const x = { field: "mbps", type: "quantitative", title: "Bandwidth (MB/s)", scale: { type: "log" } } as const;
  const color = { field: "layout", type: "nominal", title: "Layout" } as const;
  return withTheme({
    title: {
      text: "Time against bandwidth",
      subtitle: [
        "points: measured medians over shaped remote storage, bars: interquartile range; lines: t = S/(r·B) + S/D",
        `D: ${DECODE_RATE_SOURCE}`,
        `D used: ${used.length ? used.join("; ") : "none measured (no model lines)"}`,
        `rules: where a layout starts to beat ${remote!.raw ?? "raw"} (model)`,
      ],
    },
    data: {
      values: [
        ...points.map((p) => ({ ...p, kind: "measured" })),
        ...model.map((m) => ({ ...m, kind: "model" })),
        ...rules.map((r) => ({ ...r, kind: "crossover" })),
      ],
    },
    facet: { column: { field: "pattern", type: "nominal", title: null } },
    spec: {
      width: PANEL_WIDTH / 2,
      height: 220,
      layer: [
        {
          transform: [{ filter: "datum.kind === 'crossover'" }],
          mark: { type: "rule", strokeDash: [4, 3] },
          encoding: {
            x: { ...x, field: "crossoverMbps" },
            color,
            tooltip: [{ field: "layout" }, { field: "crossoverMbps", title: "Crossover (MB/s)", format: ".1f" }],
          },
        },
        {
          transform: [{ filter: "datum.kind === 'model'" }],
          mark: { type: "line", strokeWidth: 1.5, opacity: 0.7 },
          encoding: { x, y: { field: "modelMs", type: "quantitative", title: "Time (ms)", scale: { type: "log" } }, color },
        },
        {
          transform: [{ filter: "datum.kind === 'measured'" }],
          mark: { type: "rule" },
          encoding: { x, y: { field: "lowMs", type: "quantitative" }, y2: { field: "highMs" }, color },
        },
        {
          transform: [{ filter: "datum.kind === 'measured'" }],
          mark: { type: "point", filled: true, size: 50 },
          encoding: {
            x,
            y: { field: "ms", type: "quantitative" },
            color,
            tooltip: [{ field: "layout" }, { field: "mbps", title: "Bandwidth (MB/s)" }, { field: "ms", title: "Median (ms)", format: ".1f" }],
          },
        },
      ],
    },
    resolve: { scale: { y: "independent" } },
  });
}
