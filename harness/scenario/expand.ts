/**
 * A scenario's lists expand into a matrix of cases: dataset × layout × pattern × cache state
 * (a dataset with a source has one layout: its file as it is).
 * `--filter` keeps the cases whose id contains every given word (or matches a /regex/).
 */
import { patternFor } from "./resolve.ts";
import type { CaseSpec, Scenario } from "./types.ts";

/** `scenario/dataset/layout/pattern/cache`, with `@python` appended for the reference engine. */
export function caseId(scenario: string, dataset: string, layout: string, pattern: string, cache: string, engine = "js"): string {
  return `${scenario}/${dataset}/${layout}/${pattern}/${cache}${engine === "js" ? "" : "@" + engine}`;
}

export function expandCases(scenario: Scenario): CaseSpec[] {
  const cases: CaseSpec[] = [];
  for (const dataset of scenario.datasets) {
    // A dataset read from a file is measured in its own layout only ("as-is").
    for (const layout of dataset.source ? [dataset.source.layout] : scenario.layouts) {
      for (const pattern of scenario.patterns) {
        for (const cache of scenario.cache) {
          for (const engine of scenario.engines) {
            cases.push({
              id: caseId(scenario.name, dataset.name, layout.name, pattern.name, cache, engine),
              scenario, dataset, layout, pattern: patternFor(pattern, dataset.shape.length), cache, engine,
            });
          }
        }
      }
    }
  }
  return cases;
}

/** A predicate from a filter: `/re/` is a regular expression, otherwise every word must appear. */
export function caseFilter(filter: string | undefined): (id: string) => boolean {
  if (!filter) return () => true;
  const re = /^\/(.*)\/$/.exec(filter);
  if (re) {
    const regex = new RegExp(re[1]);
    return (id) => regex.test(id);
  }
  const words = filter.split(/\s+/).filter(Boolean);
  return (id) => words.every((w) => id.includes(w));
}
