/**
 * A scenario's lists expand into a matrix of cases: dataset × layout × pattern × cache state ×
 * storage × engine (a dataset with a source has one layout: its file as it is).
 * `--filter` keeps the cases whose id contains every given word (or matches a /regex/).
 */

import { DEFAULT_ENGINE, engineNamed } from "./engines.ts";
import { patternFor } from "./resolve.ts";
import { LOCAL_STORAGE } from "./storage.ts";
import type { CaseSpec, Scenario } from "./types.ts";

/** Segments a case id gains for dimensions whose value is not the default (`storage=LABEL`). */
export interface CaseIdExtras {
  /** The storage's label; "local" (the default) adds nothing. */
  readonly storage?: string;
}

/**
 * `scenario/dataset/layout/pattern/cache[/storage=LABEL]`, with `@engine` appended for engines
 * other than layoutbench's own. Default values add nothing, so ids from before engines and storage
 * existed stay as they were and baselines still match.
 */
export function caseId(
  scenario: string,
  dataset: string,
  layout: string,
  pattern: string,
  cache: string,
  engine: string = DEFAULT_ENGINE,
  extras: CaseIdExtras = {},
): string {
  const e = engineNamed(engine) ?? engine;
  const storage = extras.storage && extras.storage !== LOCAL_STORAGE.label ? `/storage=${extras.storage}` : "";
  return `${scenario}/${dataset}/${layout}/${pattern}/${cache}${storage}${e === DEFAULT_ENGINE ? "" : "@" + e}`;
}

export function expandCases(scenario: Scenario): CaseSpec[] {
  const cases: CaseSpec[] = [];
  for (const dataset of scenario.datasets) {
    // A dataset read from a file is measured in its own layout only ("as-is").
    for (const layout of dataset.source ? [dataset.source.layout] : scenario.layouts) {
      for (const pattern of scenario.patterns) {
        for (const cache of scenario.cache) {
          for (const storage of scenario.storage) {
            for (const engine of scenario.engines) {
              cases.push({
                id: caseId(scenario.name, dataset.name, layout.name, pattern.name, cache, engine, { storage: storage.label }),
                scenario,
                dataset,
                layout,
                pattern: patternFor(pattern, dataset.shape.length),
                cache,
                storage,
                engine,
              });
            }
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
