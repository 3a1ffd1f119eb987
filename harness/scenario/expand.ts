/**
 * A scenario's lists expand into a matrix of cases: dataset × layout × pattern × cache state
 * (a dataset with a source has one layout, its file as it is; one with several sources has those and the scenario's).
 * `--filter` keeps the cases whose id contains every given word (or matches a /regex/).
 */

import { DEFAULT_ENGINE, engineNamed } from "./engines.ts";
import { DEFAULT_READERS, isDefaultReaders, readersLabel } from "./readers.ts";
import { patternFor } from "./resolve.ts";
import type { CaseSpec, DatasetSpec, LayoutSpec, ReadersSpec, Scenario } from "./types.ts";

/**
 * `scenario/dataset/layout/pattern/cache[/readers=LABEL]`, with `@engine` appended for engines other
 * than layoutbench's own (whose ids stay as they were before engines existed, so baselines still
 * match); the readers segment only for readers other than the default one process, one thread.
 */
export function caseId(
  scenario: string,
  dataset: string,
  layout: string,
  pattern: string,
  cache: string,
  engine: string = DEFAULT_ENGINE,
  readers: ReadersSpec = DEFAULT_READERS,
): string {
  const e = engineNamed(engine) ?? engine;
  const r = isDefaultReaders(readers) ? "" : `/readers=${readersLabel(readers)}`;
  return `${scenario}/${dataset}/${layout}/${pattern}/${cache}${r}${e === DEFAULT_ENGINE ? "" : "@" + e}`;
}

export function expandCases(scenario: Scenario): CaseSpec[] {
  const cases: CaseSpec[] = [];
  for (const dataset of scenario.datasets) {
    for (const [layout, view] of layoutsOf(dataset, scenario.layouts)) {
      for (const pattern of scenario.patterns) {
        for (const cache of scenario.cache) {
          for (const readers of scenario.readers ?? [DEFAULT_READERS]) {
            for (const engine of scenario.engines) {
              cases.push({
                id: caseId(scenario.name, dataset.name, layout.name, pattern.name, cache, engine, readers),
                scenario,
                dataset: view,
                layout,
                pattern: patternFor(pattern, dataset.shape.length),
                cache,
                engine,
                readers,
              });
            }
          }
        }
      }
    }
  }
  return cases;
}

/**
 * The layouts a dataset is measured in, each with the dataset as its cases see it. A dataset read
 * from one file: its own layout only ("as-is"). One with several sources: each source as a layout
 * (the case's `source` is that one), then the scenario's layouts, written from the first source's
 * values (the case has no `source`). A generated dataset: the scenario's layouts.
 */
export function layoutsOf(dataset: DatasetSpec, layouts: readonly LayoutSpec[]): [LayoutSpec, DatasetSpec][] {
  if (dataset.sources) {
    const { source: _first, ...written } = dataset;
    return [
      ...dataset.sources.map((s): [LayoutSpec, DatasetSpec] => [s.layout, { ...dataset, source: s }]),
      ...layouts.map((l): [LayoutSpec, DatasetSpec] => [l, written]),
    ];
  }
  if (dataset.source) return [[dataset.source.layout, dataset]];
  return layouts.map((l) => [l, dataset]);
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
