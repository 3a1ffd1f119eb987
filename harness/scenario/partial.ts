/**
 * The parts of a scenario file that pass the schema, so the semantic checks can run on them even
 * when other parts do not: a file with a bad layout still hears about its duplicate pattern names
 * and its tiles that do not fit. Pure: no I/O.
 */
import type { z } from "zod";
import { datasetSchema, layoutSchema, patternSchema, type ScenarioFile, scenarioFileSchema } from "./schema.ts";

/** Where each kept entry stands in the file: `datasets[i]` of the partial file is `datasets[positions.datasets[i]]` there. */
export interface Positions {
  readonly datasets: readonly number[];
  readonly layouts: readonly number[];
  readonly patterns: readonly number[];
  /** Datasets in the file, kept or not: whether problems name their dataset. */
  readonly datasetCount: number;
}

/** Placeholder for a top-level name that failed the schema; only the scenario hash would see it. */
const UNNAMED = "unnamed";

function validEntries<T>(list: unknown, parse: (entry: unknown) => { success: true; data: T } | { success: false }): [T[], number[]] {
  const kept: T[] = [];
  const at: number[] = [];
  if (!Array.isArray(list)) return [kept, at];
  list.forEach((entry, i) => {
    const r = parse(entry);
    if (r.success) {
      kept.push(r.data);
      at.push(i);
    }
  });
  return [kept, at];
}

/**
 * The file with every dataset, layout and pattern that fails the schema left out, and every other
 * top-level key that fails it left to its default. `data` is the parsed YAML (a mapping).
 */
export function validParts(data: Record<string, unknown>): { file: ScenarioFile; positions: Positions } {
  const [datasets, datasetAt] = validEntries(data.datasets, (e) => datasetSchema.safeParse(e));
  const [layouts, layoutAt] = validEntries(data.layouts, (e) => layoutSchema.safeParse(e));
  const [patterns, patternAt] = validEntries(data.patterns, (e) => patternSchema.safeParse(e));
  const shape = scenarioFileSchema.shape;
  const field = <K extends keyof typeof shape & keyof ScenarioFile>(key: K): ScenarioFile[K] | undefined => {
    const r = (shape[key] as z.ZodType).safeParse(data[key]);
    return r.success ? (r.data as ScenarioFile[K]) : undefined;
  };
  const file: ScenarioFile = {
    version: 1,
    name: field("name") ?? UNNAMED,
    description: field("description"),
    datasets,
    layouts: data.layouts === undefined ? undefined : layouts,
    patterns,
    cache: field("cache"),
    storage: field("storage"),
    eviction: field("eviction"),
    sampling: field("sampling"),
    recommendation: field("recommendation"),
    engines: field("engines"),
  };
  const datasetCount = Array.isArray(data.datasets) ? data.datasets.length : 0;
  return { file, positions: { datasets: datasetAt, layouts: layoutAt, patterns: patternAt, datasetCount } };
}
