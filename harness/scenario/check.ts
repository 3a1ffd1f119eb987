/**
 * Checks that need more than the schema: names unique, sizes within limits, sampling settings that
 * agree, and — through the checks passed in — layouts the backend can build for each dataset,
 * patterns that fit each dataset's shape, and layouts that can take writes. Pure: what knows
 * backends and patterns is injected (plan/check.ts passes the backends' `check` and
 * `writeProblem`, and the access patterns' `patternProblem`).
 */
import { itemSize } from "../core/dtype.ts";
import { MAX_DATASET_BYTES, MAX_ELEMENTS } from "./defaults.ts";
import { binaryBytes } from "./messages.ts";
import type { Positions } from "./partial.ts";
import { readersProblems } from "./readers.ts";
import { patternFor } from "./resolve.ts";
import { storageProblems } from "./storage-check.ts";
import { AS_IS_LAYOUT, type DatasetSpec, type LayoutSpec, type PatternSpec, type Scenario } from "./types.ts";

export interface Problem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** A problem with one layout or pattern; `field` is relative to it, dot-separated. */
export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

/** The checks of layouts and patterns against a dataset, which need the backends and access patterns. */
export interface ScenarioChecks {
  /** Problems with building `layout` for `dataset` (the backend's own limits). */
  layout(layout: LayoutSpec, dataset: DatasetSpec): readonly FieldProblem[];
  /** The first reason `pattern` (with its axes resolved for the dataset's rank) cannot apply to `dataset`. */
  pattern(pattern: PatternSpec, dataset: DatasetSpec): FieldProblem | undefined;
  /** Why write patterns cannot run on `layout`, if they cannot. */
  write(layout: LayoutSpec): string | undefined;
  /** How many selections `pattern` makes on `dataset` (partitioned readers need one each at least). */
  selections?(pattern: PatternSpec, dataset: DatasetSpec): number;
  /** Why `layout` cannot be read from remote storage, if it cannot. */
  remote?(layout: LayoutSpec): string | undefined;
}

function duplicates(kind: string, names: readonly string[], at: (i: number) => number): Problem[] {
  const seen = new Map<string, number>();
  const out: Problem[] = [];
  names.forEach((n, i) => {
    const first = seen.get(n);
    if (first !== undefined) out.push({ path: [kind, at(i), "name"], message: `duplicate name "${n}" (also ${kind}[${at(first)}]): names must be unique` });
    else seen.set(n, i);
  });
  return out;
}

/** A dataset's sources name layouts: unique among themselves and the scenario's layouts. */
function sourceNameProblems(dataset: DatasetSpec, di: number, layouts: readonly LayoutSpec[], layoutAt: (i: number) => number): Problem[] {
  const out: Problem[] = [];
  dataset.sources!.forEach((s, si) => {
    const path = ["datasets", di, "sources", si, "name"];
    const earlier = dataset.sources!.findIndex((o) => o.layout.name === s.layout.name);
    const li = layouts.findIndex((l) => l.name === s.layout.name);
    if (earlier < si) out.push({ path, message: `duplicate name "${s.layout.name}" (also sources[${earlier}]): names must be unique` });
    else if (li >= 0) out.push({ path, message: `"${s.layout.name}" is also the name of layouts[${layoutAt(li)}]: names must be unique` });
  });
  return out;
}

/**
 * Problems of a resolved scenario. `positions`: where its entries stand in the file, when it holds
 * only the parts of a file that passed the schema (see partial.ts); problems then name those.
 */
export function checkScenario(scenario: Scenario, checks: ScenarioChecks, positions?: Positions): Problem[] {
  const kinds = { datasets: positions?.datasets, layouts: positions?.layouts, patterns: positions?.patterns };
  const at = (kind: string) => (i: number) => kinds[kind as keyof typeof kinds]?.[i] ?? i;
  const entries = checkEntries(scenario, checks, positions?.datasetCount ?? scenario.datasets.length, at("layouts")).map((p) => {
    const [kind, i, ...rest] = p.path;
    return Object.hasOwn(kinds, kind) && typeof i === "number" ? { ...p, path: [kind, at(kind as string)(i), ...rest] } : p;
  });
  return [
    ...duplicates(
      "datasets",
      scenario.datasets.map((d) => d.name),
      at("datasets"),
    ),
    ...duplicates(
      "layouts",
      scenario.layouts.map((l) => l.name),
      at("layouts"),
    ),
    ...duplicates(
      "patterns",
      scenario.patterns.map((p) => p.name),
      at("patterns"),
    ),
    ...entries,
  ];
}

/** Paths index the scenario's own lists (mapped to the file's by the caller); `layoutAt` maps for messages. */
function checkEntries(scenario: Scenario, checks: ScenarioChecks, datasetCount: number, layoutAt: (i: number) => number): Problem[] {
  const problems: Problem[] = [];
  const several = datasetCount > 1;
  if (scenario.datasets.some((d) => d.source)) {
    scenario.layouts.forEach((layout, li) => {
      if (layout.name === AS_IS_LAYOUT) {
        problems.push({ path: ["layouts", li, "name"], message: `"${AS_IS_LAYOUT}" names the layout of datasets read from a file; choose another name` });
      }
    });
  }
  scenario.datasets.forEach((dataset, di) => {
    // Checked before anything else looks at the shape: past 2^53 element counts are no longer exact.
    const elements = dataset.shape.reduce((a, b) => a * b, 1);
    if (elements > MAX_ELEMENTS) {
      const n = Number.isSafeInteger(elements) ? String(elements) : `about ${elements.toPrecision(3)}`;
      problems.push({ path: ["datasets", di, "shape"], message: `${n} elements is more than the ${MAX_ELEMENTS} (2^50) allowed` });
      return;
    }
    const bytes = elements * itemSize(dataset.dtype);
    if (!dataset.source && bytes > MAX_DATASET_BYTES) {
      problems.push({
        path: ["datasets", di, "shape"],
        message:
          `[${dataset.shape.join(", ")}] ${dataset.dtype} holds ${bytes} bytes (${binaryBytes(bytes)}), more than the ` +
          `${MAX_DATASET_BYTES} bytes (${binaryBytes(MAX_DATASET_BYTES)}) a generated dataset may hold: every layout writes it out ` +
          "in full in the dataset cache; use a smaller shape",
      });
      return;
    }
    const which = several ? ` (dataset "${dataset.name}")` : "";
    if (dataset.source) {
      // Measured as it is, in its own layout: the scenario's layouts do not apply, and nothing may write to it.
      scenario.patterns.forEach((pattern, pi) => {
        if (pattern.op === "write") {
          problems.push({
            path: ["patterns", pi, "op"],
            message: `write patterns cannot run on dataset "${dataset.name}": it is read from an existing ${dataset.source!.format} source as it is, and layoutbench never writes to a source; put write patterns in a scenario of generated datasets`,
          });
        }
      });
    }
    if (dataset.sources) problems.push(...sourceNameProblems(dataset, di, scenario.layouts, layoutAt));
    // The scenario's layouts are written for generated datasets and for those with several sources.
    if (!dataset.source || dataset.sources)
      scenario.layouts.forEach((layout, li) => {
        for (const p of checks.layout(layout, dataset)) {
          problems.push({ path: ["layouts", li, ...p.field.split(".").filter(Boolean)], message: p.message + which });
        }
      });
    scenario.patterns.forEach((pattern, pi) => {
      const p = checks.pattern(patternFor(pattern, dataset.shape.length), dataset);
      if (p) problems.push({ path: ["patterns", pi, ...p.field.split(".").filter(Boolean)], message: p.message + which });
    });
  });
  // Once per pattern and layout: the same for every dataset. Datasets with a source refuse writes above.
  if (scenario.datasets.some((d) => !d.source)) {
    scenario.patterns.forEach((pattern, pi) => {
      if (pattern.op !== "write") return;
      scenario.layouts.forEach((layout, li) => {
        const why = checks.write(layout);
        if (why) {
          problems.push({
            path: ["patterns", pi, "op"],
            message:
              `write patterns cannot run on layout "${layout.name}" (layouts[${layoutAt(li)}]): ${why}, ` + "or put write patterns in a scenario without it",
          });
        }
      });
    });
  }
  scenario.patterns.forEach((pattern, pi) => {
    if (pattern.openPerAccess && pattern.op === "write") {
      problems.push({ path: ["patterns", pi, "openPerAccess"], message: "applies to read patterns only: a write pattern opens its layout once per sample" });
    }
  });
  problems.push(...storageProblems(scenario, checks.remote));
  const { samples, minSamples, rounds } = scenario.sampling;
  if (minSamples > samples) {
    problems.push({ path: ["sampling", "minSamples"], message: `${minSamples} is more than samples (${samples})` });
  }
  if (rounds > samples) {
    problems.push({ path: ["sampling", "rounds"], message: `${rounds} is more than samples (${samples}): each round takes at least one sample of every case` });
  }
  scenario.recommendation.cache.forEach((c, i) => {
    if (!scenario.cache.includes(c)) {
      problems.push({ path: ["recommendation", "cache", i], message: `"${c}" is not measured (cache: ${scenario.cache.join(", ")})` });
    }
  });
  problems.push(...checkReaders(scenario, checks));
  const { engine } = scenario.recommendation;
  if (!scenario.engines.includes(engine)) {
    problems.push({
      path: ["recommendation", "engine"],
      message: `"${engine}" does not read in this scenario (engines: ${scenario.engines.join(", ")}): add it to engines or choose one of those`,
    });
  }
  return problems;
}

/** The readers entries: combinations that mean nothing for an engine or layout, and partitions too fine for a pattern. */
function checkReaders(scenario: Scenario, checks: ScenarioChecks): Problem[] {
  const problems: Problem[] = [];
  // Reader processes open the layout's local files; remote reads happen in the run's own process.
  const remote = scenario.storage.findIndex((s) => s.kind !== "local");
  if (remote >= 0 && (scenario.readers !== undefined || scenario.memoryBudget !== undefined)) {
    problems.push({
      path: ["storage", remote],
      message: `storage "${scenario.storage[remote].label}" is remote, and reader processes (readers, memoryBudget) read local files only in this version; put remote storage and readers in separate scenarios`,
    });
  }
  (scenario.readers ?? []).forEach((r, i) => {
    for (const p of readersProblems(r, scenario.engines, scenario.layouts, scenario.patterns)) {
      problems.push({ path: ["readers", i, ...p.field.split(".").filter(Boolean)], message: p.message });
    }
    if (r.split !== "partition" || r.processes === 1 || !checks.selections) return;
    for (const dataset of scenario.datasets) {
      for (const pattern of scenario.patterns) {
        const n = checks.selections(patternFor(pattern, dataset.shape.length), dataset);
        if (n < r.processes) {
          problems.push({
            path: ["readers", i, "processes"],
            message: `${r.processes} readers cannot partition pattern "${pattern.name}": it makes ${n} selection${n === 1 ? "" : "s"} on dataset "${dataset.name}", and every reader needs one at least; use split: replicate or a pattern of more selections`,
          });
          return;
        }
      }
    }
  });
  return problems;
}
