/**
 * Heatmaps of a layout sweep, one per pair of swept fields (e.g. chunks × codec): each cell is the
 * workload's expected cost (the recommendation's weighted cost) of the layout with those two
 * values, the lowest over any other swept field; rows and columns sorted by their best cell. A
 * sweep of one field gets that field × access pattern, each cell the median time in the first
 * cache state the recommendation weighs. A pattern sweep gets its patterns × the layouts, each cell
 * a median time likewise. Pure: the data model every renderer draws.
 */
import type { CacheState, SweepInfo } from "../scenario/types.ts";
import type { DatasetView, ReportModel } from "./model-types.ts";

export interface HeatmapCell {
  readonly row: string;
  readonly column: string;
  /** ms; null when the layouts of this cell failed. */
  readonly value: number | null;
  /** The layout whose value the cell shows. */
  readonly layout: string | null;
}

export interface SweepHeatmap {
  readonly rowField: string;
  /** A second swept field, or "pattern". */
  readonly columnField: string;
  /** cost: the recommendation's weighted cost; median: a pattern's median time. */
  readonly metric: "cost" | "median";
  /** For "median": the cache state shown. */
  readonly cache: CacheState | null;
  /** Best first. */
  readonly rows: readonly string[];
  readonly columns: readonly string[];
  readonly cells: readonly HeatmapCell[];
}

/** The sweeps of the scenario `dataset` belongs to (recorded with the run). */
export function sweepsOf(model: ReportModel, dataset: DatasetView): readonly SweepInfo[] {
  return model.scenarios.find((s) => s.name === dataset.scenario)?.sweeps ?? [];
}

function sortedBy(keys: readonly string[], cells: readonly HeatmapCell[], pick: (c: HeatmapCell) => string): string[] {
  const best = (k: string) => Math.min(...cells.filter((c) => pick(c) === k && c.value !== null).map((c) => c.value!));
  return [...keys].sort((a, b) => best(a) - best(b) || keys.indexOf(a) - keys.indexOf(b));
}

function distinct(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** The heatmaps of `dataset`'s layout sweeps (none for a scenario without one). */
export function sweepHeatmaps(dataset: DatasetView, sweeps: readonly SweepInfo[]): SweepHeatmap[] {
  const out: SweepHeatmap[] = [];
  const cost = new Map(dataset.recommendation.candidates.map((c) => [c.layout, c.costMs]));
  for (const sweep of sweeps.filter((s) => s.list === "patterns")) {
    const heatmap = patternSweepHeatmap(dataset, sweep, cost);
    if (heatmap) out.push(heatmap);
  }
  for (const sweep of sweeps.filter((s) => s.list === "layouts")) {
    const members = sweep.members.filter((m) => dataset.layouts.some((l) => l.name === m.name));
    if (members.length < 2) continue;
    if (sweep.fields.length === 1) {
      const [field] = sweep.fields;
      const cache = dataset.recommendation.cache[0] ?? dataset.groups[0]?.cache ?? null;
      const groups = dataset.groups.filter((g) => g.cache === cache);
      const cells = members.flatMap((m) =>
        groups.map((g) => {
          const row = g.rows.find((r) => r.layout === m.name);
          return { row: m.values[field], column: g.pattern.name, value: row?.stats?.median ?? null, layout: m.name };
        }),
      );
      const rows = distinct(members.map((m) => m.values[field]));
      // Rows by the workload's cost, columns (patterns) in scenario order.
      const rowCost = (v: string) => cost.get(members.find((m) => m.values[field] === v)!.name) ?? Number.POSITIVE_INFINITY;
      out.push({
        rowField: field,
        columnField: "pattern",
        metric: "median",
        cache,
        rows: [...rows].sort((a, b) => rowCost(a) - rowCost(b) || rows.indexOf(a) - rows.indexOf(b)),
        columns: groups.map((g) => g.pattern.name),
        cells,
      });
      continue;
    }
    for (let i = 0; i < sweep.fields.length; i++) {
      for (let j = i + 1; j < sweep.fields.length; j++) {
        const [a, b] = [sweep.fields[i], sweep.fields[j]];
        const cells: HeatmapCell[] = [];
        for (const row of distinct(members.map((m) => m.values[a]))) {
          for (const column of distinct(members.map((m) => m.values[b]))) {
            // The lowest cost over the other swept fields' values.
            let best: HeatmapCell = { row, column, value: null, layout: null };
            for (const m of members.filter((m) => m.values[a] === row && m.values[b] === column)) {
              const c = cost.get(m.name);
              if (c !== undefined && (best.value === null || c < best.value)) best = { row, column, value: c, layout: m.name };
            }
            cells.push(best);
          }
        }
        out.push({
          rowField: a,
          columnField: b,
          metric: "cost",
          cache: null,
          rows: sortedBy(distinct(members.map((m) => m.values[a])), cells, (c) => c.row),
          columns: sortedBy(distinct(members.map((m) => m.values[b])), cells, (c) => c.column),
          cells,
        });
      }
    }
  }
  return out;
}

/** A pattern sweep: each swept pattern (by its swept values) × layout, median times, layouts by cost. */
function patternSweepHeatmap(dataset: DatasetView, sweep: SweepInfo, cost: ReadonlyMap<string, number>): SweepHeatmap | null {
  const cache = dataset.recommendation.cache[0] ?? dataset.groups[0]?.cache ?? null;
  const members = sweep.members.filter((m) => dataset.groups.some((g) => g.pattern.name === m.name && g.cache === cache));
  if (members.length < 2) return null;
  const label = (values: Readonly<Record<string, string>>) => sweep.fields.map((f) => values[f]).join(" · ");
  const layouts = dataset.layouts.map((l) => l.name);
  const cells = members.flatMap((m) => {
    const group = dataset.groups.find((g) => g.pattern.name === m.name && g.cache === cache)!;
    return layouts.map((layout) => ({
      row: label(m.values),
      column: layout,
      value: group.rows.find((r) => r.layout === layout)?.stats?.median ?? null,
      layout,
    }));
  });
  const inf = Number.POSITIVE_INFINITY;
  return {
    rowField: sweep.fields.join(" · "),
    columnField: "layout",
    metric: "median",
    cache,
    rows: members.map((m) => label(m.values)),
    columns: [...layouts].sort((a, b) => (cost.get(a) ?? inf) - (cost.get(b) ?? inf) || layouts.indexOf(a) - layouts.indexOf(b)),
    cells,
  };
}
