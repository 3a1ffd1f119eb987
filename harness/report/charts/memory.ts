/**
 * The one-copy claim, drawn: ΣPSS of a case's readers split into file-backed (mapped files: pages
 * of the page cache, shared and charged to each mapper in part) and anonymous (each reader's own
 * heap and buffers), against reader processes, one panel per layout. Warm cases when there are
 * any (every reader's pages in memory), else cold; one thread per reader.
 */
import type { TopLevelSpec } from "vega-lite";
import type { DatasetView } from "../model-types.ts";
import { datasetLabel, withTheme } from "./theme.ts";

const MiB = 2 ** 20;
const KINDS = ["file-backed: the layout's mapped files", "anonymous: grown while reading", "the rest: Node's own heap, code and libraries"];

/** The memory chart of a dataset, or null when no case has memory figures. */
export function memoryChart(dataset: DatasetView): TopLevelSpec | null {
  const cache = dataset.groups.some((g) => g.cache === "warm" && g.rows.some((r) => r.memory)) ? "warm" : "cold";
  const values = dataset.groups
    .filter((g) => g.cache === cache)
    .flatMap((g) =>
      g.rows
        .filter((r) => r.memory && r.readers && r.readers.threads === 1)
        .flatMap((r) => {
          const m = r.memory!;
          const at = { layout: r.readers!.layout, pattern: g.pattern.name, processes: r.readers!.processes };
          const own = m.pssFileBytes + m.pssAnonBytes - m.pssLayoutBytes - m.anonGrowthBytes;
          return [
            { ...at, kind: KINDS[0], order: 0, mib: m.pssLayoutBytes / MiB },
            { ...at, kind: KINDS[1], order: 1, mib: m.anonGrowthBytes / MiB },
            { ...at, kind: KINDS[2], order: 2, mib: Math.max(0, own) / MiB },
          ];
        }),
    );
  if (values.length === 0) return null;
  return withTheme({
    title: {
      text: `Memory of the readers: ${datasetLabel(dataset)}`,
      subtitle: [
        `ΣPSS over the readers at the end of their reads (${cache} cases); PSS charges a shared page to each process in part`,
        `array: ${(dataset.logicalBytes / MiB).toFixed(1)} MiB: one shared copy of a mapped file counts once, however many readers map it`,
      ],
    },
    data: { values },
    facet: {
      column: { field: "layout", type: "nominal", title: "Layout" },
      row: { field: "pattern", type: "nominal", title: null, header: { labelAngle: 0, labelAlign: "left" } },
    },
    spec: {
      width: 120,
      height: 160,
      mark: { type: "bar", tooltip: true },
      encoding: {
        x: { field: "processes", type: "ordinal", title: "Reader processes" },
        y: { field: "mib", type: "quantitative", title: "ΣPSS (MiB)", stack: "zero" },
        color: {
          field: "kind",
          type: "nominal",
          title: "Memory",
          scale: { domain: KINDS, range: ["#72b7b2", "#f58518", "#cccccc"] },
          legend: { orient: "bottom", direction: "vertical", labelLimit: 400 },
        },
        order: { field: "order", type: "quantitative" },
      },
    },
  });
}
