/**
 * A case's median over the runs of a published history, one chart per scenario and pattern: a line
 * per layout, a band for each median's bootstrap interval, one panel per cache state (their scales
 * differ by orders of magnitude, so each panel has its own log axis). Runs are in publication
 * order along x, labelled by start time and commit.
 */
import type { TopLevelSpec } from "vega-lite";
import { HISTORY_CONFIDENCE, type HistoryPoint } from "../../shard/history.ts";
import { CACHE_SCALE, PANEL_WIDTH, withTheme } from "./theme.ts";

export function historyChart(key: string, points: readonly HistoryPoint[]): TopLevelSpec {
  const runs = [...new Map(points.map((p) => [p.run, p.runLabel])).entries()].sort((a, b) => a[0] - b[0]).map(([, label]) => label);
  const machines = new Set(points.map((p) => p.machine).filter((m) => m !== null));
  const values = points.map((p) => ({ ...p, machine: p.machine ?? "unknown" }));
  const x = { field: "runLabel", type: "ordinal", title: "Run (start time, commit)", sort: runs, axis: { labelAngle: -30 } } as const;
  const y = { type: "quantitative", title: "Median time (ms, log scale)", scale: { type: "log" } } as const;
  return withTheme({
    title: {
      text: `Median time over runs: ${key}`,
      subtitle: [
        `lines: layouts; bands: ${Math.round(HISTORY_CONFIDENCE * 100)}% bootstrap interval of each median; lower is better`,
        ...(machines.size > 1 ? [`${machines.size} machines: compare runs from the same machine (tooltip)`] : []),
      ],
    },
    data: { values },
    facet: { column: { field: "cache", type: "nominal", title: "Page cache", sort: CACHE_SCALE.domain } },
    spec: {
      width: Math.max(PANEL_WIDTH / 2, runs.length * 60),
      height: 240,
      encoding: { x, color: { field: "layout", type: "nominal", title: "Layout" } },
      layer: [
        { mark: { type: "area", opacity: 0.18 }, encoding: { y: { field: "lowMs", ...y }, y2: { field: "highMs" } } },
        {
          mark: { type: "line", point: true, tooltip: true },
          encoding: {
            y: { field: "medianMs", ...y },
            tooltip: [
              { field: "layout", title: "Layout" },
              { field: "runLabel", title: "Run" },
              { field: "medianMs", title: "Median (ms)", format: ".3f" },
              { field: "lowMs", title: "Interval low (ms)", format: ".3f" },
              { field: "highMs", title: "Interval high (ms)", format: ".3f" },
              { field: "machine", title: "Machine" },
            ],
          },
        },
      ],
    },
    resolve: { scale: { y: "independent" } },
  });
}
