/**
 * Checks that need more than the schema: names unique, layouts that the backend can build for
 * each dataset, patterns that fit each dataset's shape. Pure given the backends' `check`.
 */
import { patternProblem } from "../access/patterns.ts";
import { backendFor } from "../backends/registry.ts";
import { itemSize } from "../data/dtype.ts";
import { MAX_ELEMENTS } from "./defaults.ts";
import { patternFor } from "./resolve.ts";
import { AS_IS_LAYOUT, type Scenario } from "./types.ts";

export interface Problem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

function duplicates(kind: string, names: readonly string[]): Problem[] {
  const seen = new Map<string, number>();
  const out: Problem[] = [];
  names.forEach((n, i) => {
    const first = seen.get(n);
    if (first !== undefined) out.push({ path: [kind, i, "name"], message: `duplicate name "${n}" (also ${kind}[${first}]): names must be unique` });
    else seen.set(n, i);
  });
  return out;
}

export function checkScenario(scenario: Scenario): Problem[] {
  const problems: Problem[] = [
    ...duplicates("datasets", scenario.datasets.map((d) => d.name)),
    ...duplicates("layouts", scenario.layouts.map((l) => l.name)),
    ...duplicates("patterns", scenario.patterns.map((p) => p.name)),
  ];
  const several = scenario.datasets.length > 1;
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
    if (!dataset.source) scenario.layouts.forEach((layout, li) => {
      for (const p of backendFor(layout).check(layout, dataset)) {
        problems.push({ path: ["layouts", li, ...p.field.split(".").filter(Boolean)], message: p.message + which });
      }
    });
    scenario.patterns.forEach((pattern, pi) => {
      const p = patternProblem(patternFor(pattern, dataset.shape.length), dataset.shape, itemSize(dataset.dtype));
      if (p) problems.push({ path: ["patterns", pi, ...p.field.split(".").filter(Boolean)], message: p.message + which });
    });
  });
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
  const { engine } = scenario.recommendation;
  if (!scenario.engines.includes(engine)) {
    problems.push({ path: ["recommendation", "engine"], message: `"${engine}" does not read in this scenario (engines: ${scenario.engines.join(", ")}): add it to engines or choose one of those` });
  }
  return problems;
}
